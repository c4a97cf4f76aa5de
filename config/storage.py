from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names with DEBUG on too (Django's own storage gives plain ones then), so `make run`
    serves what production serves: the collected files, compressed and cached for good."""

    def url(self, name, force=False):
        return super().url(name, force=True)
