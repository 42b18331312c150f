"""The booking domain: sessions and their places, bookings and their states, the waiting list,
timetables and closed dates, the door and the desk. One module per job; see each module."""
