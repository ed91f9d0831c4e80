#!/usr/bin/env python3
"""Guest tests under wasmtime, Linux as the oracle: `python3 tests/run.py [-k PATTERN] [--list] [-j N]`.

The harness is tests/harness/ (its docstring says how to add a conformance test and an
end-to-end test); the end-to-end tests are in tests/e2e/, one module per area.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness.runner import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
