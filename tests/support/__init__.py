"""Test rig: real encoded media (PyAV) and real servers on loopback (nginx, RTMP, RTSP, faults)."""
