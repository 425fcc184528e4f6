"""The employer's side: the HTTP verify service (``service``), share links (``links``) and the
challenge / relay store (``store``). ``satchel-verifier`` is the command (``cli``)."""
