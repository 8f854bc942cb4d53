"""Account e-mail leaves the request through a background task, sealed so the code it carries is never stored in clear.

`queue` seals the rendered message (`accounts.sealed_mail`) and enqueues
`tasks.deliver_account_email`, the only place that opens it.
"""

from django.core.mail import EmailMultiAlternatives

from .sealed_mail import seal
from .tasks import deliver_account_email


def queue(message: EmailMultiAlternatives, *, kind: str) -> None:
    deliver_account_email.enqueue(seal(message, kind=kind))
