#!/usr/bin/python3
"""A live RTSP server on 127.0.0.1 for rkyolo's video tests (GStreamer's RTSP server).

Usage: rtsp_server.py PORT
Serves rtsp://127.0.0.1:PORT/cam: 640x360 H.264 at 25 fps from videotestsrc, encoded live.
Prints "ready" once it listens. Needs the Debian packages python3-gi, gir1.2-gst-rtsp-server-1.0,
gstreamer1.0-plugins-base, gstreamer1.0-plugins-good and gstreamer1.0-plugins-ugly (x264enc).
Exit code 3 when those are missing, so that the tests can skip.
"""
import sys

try:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer
except (ImportError, ValueError) as error:
    print(f"missing: {error}", flush=True)
    sys.exit(3)

PIPELINE = (
    "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=25/1 "
    "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 threads=1 "
    "! rtph264pay name=pay0 pt=96 config-interval=1 )"
)


def main() -> int:
    Gst.init(None)
    if Gst.ElementFactory.find("x264enc") is None:
        print("missing: x264enc (gstreamer1.0-plugins-ugly)", flush=True)
        return 3
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(sys.argv[1])
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(PIPELINE)
    factory.set_shared(True)
    server.get_mount_points().add_factory("/cam", factory)
    if server.attach(None) == 0:
        print("cannot listen", flush=True)
        return 1
    print("ready", flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
