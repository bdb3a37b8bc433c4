"""Scheduled regeneration: a TOML config, a locked run, outputs swapped in whole."""

from gridimpact.regenerate.config import RegenerationConfig, load_config, local_today
from gridimpact.regenerate.run import regenerate, run_job

__all__ = ["RegenerationConfig", "load_config", "local_today", "regenerate", "run_job"]
