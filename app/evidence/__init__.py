"""Live evidence read against answers: the catalogue's rules applied to a team's latest signals."""
