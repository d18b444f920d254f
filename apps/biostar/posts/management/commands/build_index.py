"""Build the search index once per database (Biostar builds its index on a new site), like init_site."""
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from posts import search
from posts.models import Post, SearchIndexBuild


class Command(BaseCommand):
    help = "Build the search index of every post, once."

    def handle(self, *args, **options):
        with transaction.atomic():
            # Two concurrent runs: the second waits here, then sees the first one's marker.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {SearchIndexBuild._meta.db_table} IN EXCLUSIVE MODE")
            # A kept database with a new, empty index volume is built again: the marker alone would lie.
            if SearchIndexBuild.objects.exists() and search.exists():
                self.stdout.write("search index already built: nothing to do")
                return
            posts = list(Post.objects.order_by("id"))
            search.rebuild(posts)
            Post.objects.filter(id__in=[p.id for p in posts]).update(indexed=True)
            SearchIndexBuild.objects.create(posts=len(posts))
        self.stdout.write(f"search index built: {len(posts)} posts")
