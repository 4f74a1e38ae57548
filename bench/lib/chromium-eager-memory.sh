#!/bin/sh
# Debian's Chromium with performance.measureUserAgentSpecificMemory() answered at once instead
# of at the next garbage collection (~20 s later): used for the memory pass only.
exec "${CHROMIUM:-/usr/bin/chromium}" --enable-blink-features=ForceEagerMeasureMemory "$@"
