def test_home_page_is_accessible_and_links_to_accounts(page, live_url, check_page):
    page.goto(live_url + "/")
    check_page("accueil")
    assert page.get_by_role("link", name="Créer un compte").first.is_visible()
