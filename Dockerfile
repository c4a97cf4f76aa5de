FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock

COPY . .
RUN DEBUG=False SECRET_KEY=collectstatic-only DATABASE_URL=postgres://collectstatic-only/none \
    python manage.py collectstatic --noinput

RUN useradd --system truthmap
USER truthmap
EXPOSE 8000
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi"]
