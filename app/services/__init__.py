"""Use cases. Each public function owns one transaction; this package is the only place that commits."""
