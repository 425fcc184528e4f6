"""Reading and writing credential containers: detection, JWS, baked PNG / SVG."""

from ._detect import OB2_CONTEXT, VC_V1, VC_V2, ParsedInput, parse_input, parse_text

__all__ = ["OB2_CONTEXT", "VC_V1", "VC_V2", "ParsedInput", "parse_input", "parse_text"]
