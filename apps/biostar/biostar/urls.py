from django.urls import path

from posts import views

urlpatterns = [
    path("", views.index),
    path("healthz", views.healthz),
    path("posts", views.create_post),
    path("search", views.search_posts),
]
