"""The employer's app (Flet): ``satchel-verifier app [--web] [--port P]`` calls :func:`main`."""
