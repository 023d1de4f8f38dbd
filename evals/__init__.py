"""The eval suite: cases, metrics, baselines, the runner and the abstention calibration."""
