from django.db import models


class Post(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # Set by the worker once the post is in the search index (production profile).
    indexed = models.BooleanField(default=False)


class SiteInit(models.Model):
    """One row once the site was initialised: the init-once marker lives with the data."""

    site_name = models.CharField(max_length=200)
    done = models.DateTimeField(auto_now_add=True)


class SearchIndexBuild(models.Model):
    """One row once the search index was built: like SiteInit, the build-once marker lives with the data."""

    posts = models.IntegerField()
    done = models.DateTimeField(auto_now_add=True)
