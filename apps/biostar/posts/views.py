import html

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from posts.models import Post, SiteInit


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
        return JsonResponse({"posts": list(Post.objects.order_by("id").values_list("title", flat=True))})
    post = Post.objects.create(title=request.POST.get("title", "untitled"))
    return JsonResponse({"id": post.id}, status=201)
