"""The app as a separate process of a race test builds it: on the test database, unthrottled."""


def app_for_process(database_url: str, **config):
    from webapp import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False,
            **config,
        }
    )
