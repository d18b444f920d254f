from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Post",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("title", models.CharField(max_length=200)),
                ("body", models.TextField(blank=True)),
                ("created", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="SiteInit",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("site_name", models.CharField(max_length=200)),
                ("done", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
