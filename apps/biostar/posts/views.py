import html

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from posts import search
from posts.models import Post, SearchIndexBuild, SiteInit
from posts.tasks import index_post


def index(request):
    posts = Post.objects.order_by("id")
    items = "".join(f"<li>{html.escape(p.title)}</li>" for p in posts)
    inits = SiteInit.objects.count()
    return HttpResponse(
        f"<html><head><title>{html.escape(settings.SITE_NAME)}</title></head><body>"
        f"<h1>{html.escape(settings.SITE_NAME)}</h1><ul>{items}</ul>"
        f"<p>posts: {posts.count()}; initialised: {inits}</p></body></html>"
    )


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


@csrf_exempt
def create_post(request):
    if request.method != "POST":
        posts = Post.objects.order_by("id")
        return JsonResponse({
            "posts": list(posts.values_list("title", flat=True)),
            "indexed": list(posts.filter(indexed=True).values_list("title", flat=True)),
        })
    post = Post.objects.create(title=request.POST.get("title", "untitled"))
    if settings.CELERY_BROKER_URL:
        # Only the production profile has a broker. After the commit, so the worker finds the row.
        transaction.on_commit(lambda: index_post.delay(post.id))
    return JsonResponse({"id": post.id}, status=201)


def search_posts(request):
    """Titles matching ?q= from the search index, and how many times the index was built."""
    if not settings.SEARCH_INDEX_DIR:
        return JsonResponse({"error": "no search index in this profile (production has one)"}, status=404)
    return JsonResponse({"hits": search.titles_matching(request.GET.get("q", "")), "builds": SearchIndexBuild.objects.count()})
