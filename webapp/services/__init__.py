"""Business rules. Each public function is one unit of work; routes and the API call these."""
