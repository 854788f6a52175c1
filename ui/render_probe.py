"""Whether OpenGL works, and whose it is: asked before a renderer is chosen,
so it needs QtGui only (QtOpenGL and PyAV load with the GL renderer itself)."""

from __future__ import annotations

from PySide6.QtGui import QOffscreenSurface, QOpenGLContext

__all__ = ["GL_RENDERER", "GL_VERSION", "probe_gl"]

GL_RENDERER = 0x1F01
GL_VERSION = 0x1F02


def probe_gl() -> str | None:
    """The OpenGL renderer string of a test context, or None if OpenGL does not work."""
    ctx = QOpenGLContext()
    if not ctx.create():
        return None
    surface = QOffscreenSurface()
    surface.setFormat(ctx.format())
    surface.create()
    try:
        if not surface.isValid() or not ctx.makeCurrent(surface):
            return None
        f = ctx.functions()
        renderer = f.glGetString(GL_RENDERER) or "unknown"
        version = f.glGetString(GL_VERSION) or ""
        ctx.doneCurrent()
        return f"{renderer} ({version})" if version else renderer
    finally:
        surface.destroy()
