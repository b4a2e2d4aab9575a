from chalicelib.emails.templates import EmailTemplate, render
from chalicelib.platform.config import get_settings


def test_activation_email_has_the_fixed_subject_and_the_link():
    email = render(EmailTemplate.ACTIVATION, {"username": "jdoe", "link": "https://p/activate?token=abc"},
                   get_settings())
    assert email.subject == "Activate Your Provider Portal Account"
    assert "https://p/activate?token=abc" in email.text
    assert 'href="https://p/activate?token=abc"' in email.html
    assert "Activate Account" in email.html


def test_reset_subject_names_the_plan():
    settings = get_settings()
    email = render(EmailTemplate.PASSWORD_RESET, {"username": "jdoe", "link": "https://p/r?token=x"}, settings)
    assert email.subject == f"{settings.plan_name} Provider Portal Password"
    assert f"{settings.reset_token_minutes} minutes" in email.text


def test_verification_email_subject():
    email = render(EmailTemplate.EMAIL_VERIFIED, {"username": "jdoe", "link": "https://p/"}, get_settings())
    assert email.subject == "Email Verification"


def test_html_escapes_what_it_is_given():
    email = render(EmailTemplate.ACTIVATION, {"username": "<script>", "link": 'https://p/?a="b"'}, get_settings())
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html


def test_a_notice_to_an_address_being_left_has_no_link_at_all():
    email = render(EmailTemplate.EMAIL_CHANGE_REQUESTED, {"username": "jdoe", "new_address": "n•••@example.org"},
                   get_settings())
    assert "n•••@example.org" in email.text
    assert "http" not in email.text
    assert "<a " not in email.html
    assert "Questions? Call Provider Services" in email.text
