"""Our HLS engine: playlists, segment scheduling, keys, live reload and ABR
switching, feeding segment bytes to a PyAV demuxer."""
