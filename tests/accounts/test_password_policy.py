"""The password policy, as the sign-up answers it, in English and French; and the rules endpoint.

"At least 12 characters, no spaces, upper- and lower-case letters, digits and
symbols", plus Django's common-password and similarity checks; spaces are
refused, never silently stripped.
"""

import pytest

from accounts.models import User

from .conftest import Headless, errors_for

MESSAGES = {
    "short": (
        "This password is too short: use at least 12 characters.",
        "Ce mot de passe est trop court : utilisez au moins 12 caractères.",
    ),
    "long": (
        "This password is too long: use at most 128 characters.",
        "Ce mot de passe est trop long : utilisez au plus 128 caractères.",
    ),
    "space": (
        "This password contains a space: spaces are not allowed anywhere, including at the start or end.",
        "Ce mot de passe contient une espace : les espaces sont interdites partout, y compris au début et à la fin.",
    ),
    "upper": ("This password has no upper-case letter.", "Ce mot de passe ne contient aucune lettre majuscule."),
    "lower": ("This password has no lower-case letter.", "Ce mot de passe ne contient aucune lettre minuscule."),
    "digit": ("This password has no digit.", "Ce mot de passe ne contient aucun chiffre."),
    "symbol": (
        "This password has no symbol (such as ! ? # - _ @).",
        "Ce mot de passe ne contient aucun symbole (comme ! ? # - _ @).",
    ),
    "common": ("This password is too common.", "Ce mot de passe est trop courant."),
    "similar": (
        "The password is too similar to the organisation / media outlet.",
        "Le mot de passe est trop semblable au champ «\u00a0organisation / média\u00a0».",
    ),
}

CASES = [
    ("Abcdefgh1!x", ["short"]),  # 11 characters
    (" Abcdefgh1!xy", ["space"]),  # leading space, not stripped
    ("Abcdefgh1!xy ", ["space"]),  # trailing space, not stripped
    ("Abcd efgh1!xy", ["space"]),
    ("Abcd\u00a0efgh1!xy", ["space"]),  # no-break space
    ("Abcd\tefgh1!xy", ["space"]),
    ("abcdefgh1!xy", ["upper"]),
    ("ABCDEFGH1!XY", ["lower"]),
    ("Abcdefghi!xy", ["digit"]),
    ("Abcdefghi1xy", ["symbol"]),
    ("abcdefghijk", ["short", "upper", "digit", "symbol"]),
    ("ÉLÉPHANT-ROSE-42", ["lower"]),  # non-ASCII letters count by their case
    ("A1!" + "x" * 126, ["long"]),  # 129 characters
    ("Pe#5gz29ptzmse", ["common"]),
    ("Radio-Nord-2024", ["similar"]),  # the organisation given at sign-up
]


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "broken"), CASES)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_rule_is_refused_with_its_message(password, broken, language):
    client = Headless("app", language=language)

    response = client.signup("policy@example.org", password=password)

    assert response.status_code == 400
    column = 0 if language == "en" else 1
    assert sorted(errors_for(response, "password")) == sorted(MESSAGES[rule][column] for rule in broken)
    assert not User.objects.filter(email="policy@example.org").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    [
        "Abcdefgh1!xy",  # exactly 12
        "Éléphant-rose-42",  # non-ASCII letters
        "Ünïcødé-Pässwört-2025€",
        "Correct-Horse-Battery-Staple-42-" + "x" * 32,  # 64 characters
        "A1!" + "x" * 125,  # 128 characters
    ],
)
def test_passwords_that_follow_the_rules_are_accepted(password):
    response = Headless("app").signup("fine@example.org", password=password)

    assert response.status_code == 401, response.content
    assert User.objects.get(email="fine@example.org").check_password(password)


@pytest.mark.django_db
def test_the_new_password_after_a_reset_follows_the_same_rules(verified_user):
    verified_user("reset-rules@example.org")
    client = Headless("app", language="fr")
    client.request_reset("reset-rules@example.org")
    from .conftest import last_code

    code = last_code("reset-rules@example.org")
    client.check_reset_code(code)

    response = client.reset(code, " Abcdefgh1!xy")

    assert response.status_code == 400
    assert errors_for(response, "password") == [MESSAGES["space"][1]]


@pytest.mark.django_db
def test_a_password_change_follows_the_same_rules(verified_user):
    client = verified_user("change-rules@example.org")

    response = client.post(
        "/account/password/change", {"current_password": "Gr8-Broadcast!Day", "new_password": "Abcdefgh1!xy "}
    )

    assert response.status_code == 400
    assert errors_for(response, "new_password") == [MESSAGES["space"][0]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "summary"),
    [
        (
            "en",
            "The password must be at least 12 characters long, with no spaces, "
            "and include upper- and lower-case letters, digits and symbols.",
        ),
        (
            "fr",
            "Le mot de passe doit comporter au moins 12 caractères, sans espaces, "
            "inclure des lettres majuscules/minuscules, des chiffres et des symboles.",
        ),
    ],
)
def test_front_ends_can_show_the_rules_before_submission(client, language, summary):
    response = client.get("/api/v1/accounts/password-policy", headers={"Accept-Language": language})

    assert response.status_code == 200
    policy = response.json()
    assert (policy["min_length"], policy["max_length"]) == (12, 128)
    assert policy["summary"] == summary
    assert {rule["rule"] for rule in policy["rules"]} >= {
        "MinimumLengthValidator",
        "NoWhitespaceValidator",
        "CharacterClassesValidator",
        "CommonPasswordValidator",
        "UserAttributeSimilarityValidator",
    }


@pytest.mark.django_db
def test_the_rules_endpoint_refuses_unknown_parameters(client):
    response = client.get("/api/v1/accounts/password-policy?lang=fr")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
