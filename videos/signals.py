"""What the videos app tells other apps, so that they can build on a video without videos knowing them."""

from django.dispatch import Signal

# Sent by the derivatives task with `video` and `path`, a local copy of its
# master that lasts as long as the receivers run, before the poster and the
# proxy are made: the downloads app indexes the master's packets here.
master_ready = Signal()

# Sent with `video` when its master is replaced (the admin form or a resumable
# upload), once the replacement is committed: what was made from the old master
# (the downloads' clips) no longer matches it.
master_replaced = Signal()
