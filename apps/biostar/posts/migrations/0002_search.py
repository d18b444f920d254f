from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("posts", "0001_initial")]
    operations = [
        migrations.AddField(model_name="post", name="indexed", field=models.BooleanField(default=False)),
        migrations.CreateModel(
            name="SearchIndexBuild",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("posts", models.IntegerField()),
                ("done", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
