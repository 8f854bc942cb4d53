from home.models import HomePage


def test_site_tree_fixture_builds_a_bilingual_home(site_tree, locales, make_video):
    assert HomePage.objects.filter(locale=locales.fr).get().translation_key == site_tree.home.translation_key
    video = make_video()
    assert video.duration > 3.9
