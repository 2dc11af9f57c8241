"""What the data says about itself: column profiles (later: quality checks, anomalies, trends)."""
