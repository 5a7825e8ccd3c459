"""The small shared kernel: leaf modules every feature may use, which import no feature (no blueprint)."""
