"""Network meetings: events, invitations of member contacts with an ``.ics``, RSVP with a waiting list."""
