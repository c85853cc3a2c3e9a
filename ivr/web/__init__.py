"""The HTTP side: create_app(settings) and its blueprints. The only package that imports Flask."""
