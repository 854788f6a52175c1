#!/usr/bin/env bash
# Sourced by the scripts: makes sure a PulseAudio server with a null sink is
# running, so PortAudio really plays on a machine without a sound card.
if command -v pactl >/dev/null 2>&1; then
  if ! pactl info >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
      pulseaudio -D --exit-idle-time=-1 --system=false --disallow-exit >/dev/null 2>&1 || true
    else
      pulseaudio --start --exit-idle-time=-1 >/dev/null 2>&1 || true
    fi
    for _ in $(seq 1 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  if pactl info >/dev/null 2>&1 && ! pactl list short sinks 2>/dev/null | grep -q heureum_null; then
    if ! pactl list short sinks 2>/dev/null | grep -vq auto_null; then
      pactl load-module module-null-sink sink_name=heureum_null rate=48000 >/dev/null 2>&1 || true
      pactl set-default-sink heureum_null >/dev/null 2>&1 || true
    fi
  fi
fi
