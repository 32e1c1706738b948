"""Action items as tracked objects: owner, due date, status, priority and link."""
