"""One ``@ft.component`` per screen; each reads its slice of state and calls ``WalletServices``."""
