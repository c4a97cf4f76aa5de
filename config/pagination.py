from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


MAX_OFFSET = 2**63 - 1


class CountedWithPage(Paginator):
    """Counts the rows in the page's own query (count(*) OVER ()) instead of a COUNT before it:
    a query less per page (on the 32-connection touchpoint list, COUNT was an eighth of the
    time). COUNT still answers for a page past the end, and for DISTINCT rows, which a window
    would count before they are made distinct."""

    def page(self, number):
        if self.object_list.query.distinct:
            return super().page(number)
        number = self.validate_number_without_count(number)
        bottom = (number - 1) * self.per_page
        counted = self.object_list.annotate(rows_in_all=Window(Count("*")))
        rows = list(counted[bottom : bottom + self.per_page])
        if rows:
            self.count = rows[0]["rows_in_all"]
        elif number > 1:
            return super().page(number)  # past the end: COUNT says by how much
        else:
            self.count = 0
        return self._get_page(rows, number, self)

    def validate_number_without_count(self, number) -> int:
        """validate_number() but for its last check, which needs the count."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number * self.per_page > MAX_OFFSET:  # PostgreSQL's OFFSET is a bigint
            raise EmptyPage(self.error_messages["no_results"])
        return number


class CountedWithPagePagination(PageNumberPagination):
    """For lists of values() rows (dicts): the count rides along with the page."""

    django_paginator_class = CountedWithPage
