"""The search index (whoosh, as Biostar uses): one document per post, in SEARCH_INDEX_DIR, a volume
the index job builds, the worker adds to, and the web app reads."""
import os

from django.conf import settings
from whoosh import index
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import QueryParser

SCHEMA = Schema(id=ID(stored=True, unique=True), title=TEXT(stored=True))


def directory():
    if not settings.SEARCH_INDEX_DIR:
        raise RuntimeError("SEARCH_INDEX_DIR is not set: the search index runs in the production profile only")
    return settings.SEARCH_INDEX_DIR


def exists():
    return os.path.isdir(directory()) and index.exists_in(directory())


def rebuild(posts):
    """A new index holding exactly `posts`."""
    os.makedirs(directory(), exist_ok=True)
    writer = index.create_in(directory(), SCHEMA).writer()
    for post in posts:
        writer.add_document(id=str(post.id), title=post.title)
    writer.commit()


def add(post):
    # timeout: wait for another writer's lock rather than fail at once.
    writer = index.open_dir(directory()).writer(timeout=10)
    writer.update_document(id=str(post.id), title=post.title)
    writer.commit()


def titles_matching(text):
    ix = index.open_dir(directory())
    with ix.searcher() as searcher:
        query = QueryParser("title", ix.schema).parse(text)
        return [hit["title"] for hit in searcher.search(query, limit=20)]
