"""`python -m minikctl`."""

from __future__ import annotations

import sys

from minikctl.cli import main

sys.exit(main())
