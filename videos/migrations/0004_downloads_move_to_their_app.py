# The download models moved to the downloads app: Django forgets them here
# (state only); their tables stay as they are, with every row, and
# downloads.0001 takes them over under the same names.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('videos', '0003_packet_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='downloadjob',
                    name='video',
                ),
                migrations.RemoveField(
                    model_name='packetindex',
                    name='video',
                ),
                migrations.RemoveField(
                    model_name='packetindexchunk',
                    name='index',
                ),
                migrations.DeleteModel(
                    name='Download',
                ),
                migrations.DeleteModel(
                    name='DownloadJob',
                ),
                migrations.DeleteModel(
                    name='PacketIndex',
                ),
                migrations.DeleteModel(
                    name='PacketIndexChunk',
                ),
            ],
        ),
    ]
