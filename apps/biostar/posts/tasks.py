"""Work the web app hands to the celery worker (production profile)."""
from celery import shared_task

from posts import search
from posts.models import Post


@shared_task
def index_post(post_id):
    """Add a new post to the search index, then record in PostgreSQL that it is searchable."""
    post = Post.objects.get(id=post_id)
    search.add(post)
    Post.objects.filter(id=post_id).update(indexed=True)
