"""Credential status: Bitstring Status List (and StatusList2021, its predecessor)."""

from .bitstring import decode_encoded_list, encode_list, read_status, set_status

__all__ = ["decode_encoded_list", "encode_list", "read_status", "set_status"]
