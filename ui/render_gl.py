"""OpenGL renderer: the three YUV planes are uploaded as textures and converted
(BT.601/BT.709, limited or full range) and scaled in a fragment shader.

Only planar 8-bit 4:2:0 is uploaded as is; other formats are converted to
yuv420p by swscale first (no per-pixel Python either way).
"""

from __future__ import annotations

import logging
import struct
from typing import Any

from av.video.reformatter import VideoReformatter
from PySide6.QtCore import Qt
from PySide6.QtGui import QHideEvent, QSurfaceFormat, QVector3D
from PySide6.QtOpenGL import QOpenGLBuffer, QOpenGLShader, QOpenGLShaderProgram, QOpenGLTexture
from PySide6.QtOpenGLWidgets import QOpenGLWidget
from PySide6.QtWidgets import QWidget

from player.video_sink import VideoFrame

from .render_common import display_aspect, fit_rect
from .render_probe import probe_gl

__all__ = ["GLRenderer", "probe_gl"]

log = logging.getLogger(__name__)

GL_TEXTURE_2D = 0x0DE1
GL_TEXTURE0 = 0x84C0
GL_LUMINANCE = 0x1909
GL_UNSIGNED_BYTE = 0x1401
GL_TEXTURE_MIN_FILTER = 0x2801
GL_TEXTURE_MAG_FILTER = 0x2800
GL_TEXTURE_WRAP_S = 0x2802
GL_TEXTURE_WRAP_T = 0x2803
GL_LINEAR = 0x2601
GL_CLAMP_TO_EDGE = 0x812F
GL_UNPACK_ALIGNMENT = 0x0CF5
GL_UNPACK_ROW_LENGTH = 0x0CF2
GL_COLOR_BUFFER_BIT = 0x4000
GL_TRIANGLE_STRIP = 0x0005
GL_FLOAT = 0x1406

_VERTEX = """
attribute vec2 a_pos;
attribute vec2 a_tex;
varying vec2 v_tex;
void main() { v_tex = a_tex; gl_Position = vec4(a_pos, 0.0, 1.0); }
"""
_FRAGMENT = """
#ifdef GL_ES
precision mediump float;
#endif
varying vec2 v_tex;
uniform sampler2D u_y;
uniform sampler2D u_u;
uniform sampler2D u_v;
uniform mat3 u_matrix;
uniform vec3 u_offset;
void main() {
    vec3 yuv = vec3(texture2D(u_y, v_tex).r, texture2D(u_u, v_tex).r, texture2D(u_v, v_tex).r);
    gl_FragColor = vec4(clamp(u_matrix * (yuv - u_offset), 0.0, 1.0), 1.0);
}
"""

# Column-major YUV -> RGB matrices (normalised), limited range expanded separately.
_BT601 = (1.0, 1.0, 1.0, 0.0, -0.344136, 1.772, 1.402, -0.714136, 0.0)
_BT709 = (1.0, 1.0, 1.0, 0.0, -0.187324, 1.8556, 1.5748, -0.468124, 0.0)
_DIRECT = {"yuv420p", "yuvj420p"}


def _limited(frame: Any) -> bool:
    try:
        return int(frame.color_range) != 2  # AVCOL_RANGE_JPEG
    except (AttributeError, TypeError, ValueError):
        return True


class GLRenderer(QOpenGLWidget):
    def __init__(self, parent: QWidget | None = None, gl_name: str = "OpenGL") -> None:
        super().__init__(parent)
        fmt = QSurfaceFormat.defaultFormat()
        fmt.setSwapInterval(1)
        self.setFormat(fmt)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self._gl_name = gl_name
        self._frame: VideoFrame | None = None
        self._uploaded: VideoFrame | None = None
        self._program: QOpenGLShaderProgram | None = None
        self._vbo: QOpenGLBuffer | None = None
        self._textures: list[QOpenGLTexture] = []
        self._reformatter = VideoReformatter()
        self.failed = False

    @property
    def renderer_name(self) -> str:
        return f"opengl (YUV shader; {self._gl_name})"

    def set_frame(self, frame: VideoFrame | None) -> None:
        self._frame = frame
        self.update()

    # -- GL ----------------------------------------------------------------------
    def initializeGL(self) -> None:
        self.context().aboutToBeDestroyed.connect(self._release_gl)
        program = QOpenGLShaderProgram(self)
        ok = program.addShaderFromSourceCode(QOpenGLShader.ShaderTypeBit.Vertex, _VERTEX)
        ok = ok and program.addShaderFromSourceCode(QOpenGLShader.ShaderTypeBit.Fragment, _FRAGMENT)
        program.bindAttributeLocation("a_pos", 0)
        program.bindAttributeLocation("a_tex", 1)
        if not ok or not program.link():
            log.warning("OpenGL shader failed: %s", program.log())
            self.failed = True
            return
        self._program = program
        self._vbo = QOpenGLBuffer(QOpenGLBuffer.Type.VertexBuffer)
        self._vbo.create()

    def _ensure_textures(self) -> None:
        if self._textures:
            return
        for _ in range(3):
            tex = QOpenGLTexture(QOpenGLTexture.Target.Target2D)
            tex.create()
            tex.setMinMagFilters(QOpenGLTexture.Filter.Linear, QOpenGLTexture.Filter.Linear)
            tex.setWrapMode(QOpenGLTexture.WrapMode.ClampToEdge)
            self._textures.append(tex)
        self._uploaded = None

    def hideEvent(self, event: QHideEvent) -> None:
        # Textures die with a current context (not at interpreter exit); they come
        # back on the next paint.
        if self._textures:
            self.makeCurrent()
            for tex in self._textures:
                tex.destroy()
            self._textures = []
            self.doneCurrent()
        super().hideEvent(event)

    def _release_gl(self) -> None:
        """Free GL objects while the context is still current-able."""
        self.makeCurrent()
        for tex in self._textures:
            tex.destroy()
        self._textures = []
        if self._vbo is not None:
            self._vbo.destroy()
            self._vbo = None
        self._program = None
        self._uploaded = None
        self.doneCurrent()

    def _upload(self, f: Any, frame: VideoFrame) -> None:
        src = frame.frame
        if frame.pix_fmt not in _DIRECT:
            src = self._reformatter.reformat(src, format="yuv420p")
        f.glPixelStorei(GL_UNPACK_ALIGNMENT, 1)
        for i, tex in enumerate(self._textures):
            plane = src.planes[i]
            w, h = (
                (src.width, src.height) if i == 0 else ((src.width + 1) // 2, (src.height + 1) // 2)
            )
            f.glActiveTexture(GL_TEXTURE0 + i)
            f.glBindTexture(GL_TEXTURE_2D, tex.textureId())
            f.glPixelStorei(GL_UNPACK_ROW_LENGTH, plane.line_size)
            f.glTexImage2D(
                GL_TEXTURE_2D,
                0,
                GL_LUMINANCE,
                w,
                h,
                0,
                GL_LUMINANCE,
                GL_UNSIGNED_BYTE,
                memoryview(plane),
            )
        f.glPixelStorei(GL_UNPACK_ROW_LENGTH, 0)
        self._uploaded = frame

    def paintGL(self) -> None:
        f = self.context().functions()
        f.glClearColor(0.0, 0.0, 0.0, 1.0)
        f.glClear(GL_COLOR_BUFFER_BIT)
        frame = self._frame
        if frame is None or self._program is None or self._vbo is None:
            return
        self._ensure_textures()
        if frame is not self._uploaded:
            self._upload(f, frame)
        w, h = self.width(), self.height()
        r = fit_rect(w, h, display_aspect(frame))
        x0, x1 = r.left() / w * 2 - 1, r.right() / w * 2 - 1
        y0, y1 = 1 - r.bottom() / h * 2, 1 - r.top() / h * 2
        # a_pos.xy, a_tex.xy per vertex; texture row 0 is the top of the picture
        verts = struct.pack("16f", x0, y0, 0, 1, x1, y0, 1, 1, x0, y1, 0, 0, x1, y1, 1, 0)
        program = self._program
        program.bind()
        self._vbo.bind()
        self._vbo.allocate(verts, len(verts))
        program.enableAttributeArray(0)
        program.enableAttributeArray(1)
        program.setAttributeBuffer(0, GL_FLOAT, 0, 2, 16)
        program.setAttributeBuffer(1, GL_FLOAT, 8, 2, 16)
        for i, name in enumerate(("u_y", "u_u", "u_v")):
            program.setUniformValue1i(program.uniformLocation(name), i)
        limited = _limited(frame.frame)
        base = _BT709 if frame.height >= 720 else _BT601
        # limited range: expand Y by 255/219 and chroma by 255/224 (scale each column)
        scale = (255 / 219, 255 / 224, 255 / 224) if limited else (1.0, 1.0, 1.0)
        matrix = [base[c * 3 + r] * scale[c] for c in range(3) for r in range(3)]
        offset = (16 / 255 if limited else 0.0, 128 / 255, 128 / 255)
        f.glUniformMatrix3fv(program.uniformLocation("u_matrix"), 1, 0, matrix)
        program.setUniformValue(program.uniformLocation("u_offset"), QVector3D(*offset))
        f.glDrawArrays(GL_TRIANGLE_STRIP, 0, 4)
        program.disableAttributeArray(0)
        program.disableAttributeArray(1)
        self._vbo.release()
        program.release()
