<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../ui/about.py" line="49"/>
        <source>About Heureum</source>
        <translation>흐름 정보</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="55"/>
        <source>Video output:</source>
        <translation>비디오 출력:</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="60"/>
        <source>A streaming player and protocol test bench.</source>
        <translation>스트리밍 플레이어이자 프로토콜 테스트 벤치.</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="64"/>
        <source>Log file:</source>
        <translation>로그 파일:</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="73"/>
        <source>Open Log Folder</source>
        <translation>로그 폴더 열기</translation>
    </message>
</context>
<context>
    <name>AbrPanel</name>
    <message>
        <location filename="../../ui/abr_panel.py" line="161"/>
        <source>Bitrate and buffer</source>
        <extracomment>markers of one kind (switches excepted) closer than this (s) are one marker: the loader&apos;s record and the engine&apos;s event of the same error, say the loader&apos;s timeline markers the panel draws (switches, stalls and errors that reach the player come from its events instead) switches: the event, so the label can name the rungs once the ladder is known</extracomment>
        <translation>비트레이트와 버퍼</translation>
    </message>
    <message>
        <location filename="../../ui/abr_panel.py" line="162"/>
        <source>Mb/s</source>
        <translation>Mb/s</translation>
    </message>
    <message>
        <location filename="../../ui/abr_panel.py" line="163"/>
        <source>s</source>
        <translation>초</translation>
    </message>
    <message>
        <location filename="../../ui/abr_panel.py" line="164"/>
        <source>session time (s)</source>
        <translation>세션 시간 (초)</translation>
    </message>
    <message>
        <location filename="../../ui/abr_panel.py" line="383"/>
        <source>bandwidth estimate %1</source>
        <translation>대역폭 추정 %1</translation>
    </message>
    <message>
        <location filename="../../ui/abr_panel.py" line="392"/>
        <source>selected %1</source>
        <translation>선택 %1</translation>
    </message>
    <message>
        <location filename="../../ui/abr_panel.py" line="398"/>
        <source>input bitrate %1</source>
        <translation>입력 비트레이트 %1</translation>
    </message>
    <message>
        <location filename="../../ui/abr_panel.py" line="401"/>
        <source>buffer %1</source>
        <translation>버퍼 %1</translation>
    </message>
    <message>
        <location filename="../../ui/abr_panel.py" line="404"/>
        <source>%1 switches, %2 stalls</source>
        <translation>전환 %1회, 멈춤 %2회</translation>
    </message>
</context>
<context>
    <name>DemoLoader</name>
    <message>
        <location filename="../../ui/app.py" line="61"/>
        <source>The built-in demo is not available in this build (player.demo is missing). Open a file with Ctrl+O or a URL with Ctrl+L.</source>
        <translation>이 빌드에는 내장 데모가 없습니다 (player.demo 없음). Ctrl+O로 파일을, Ctrl+L로 URL을 여세요.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="405"/>
        <source>&amp;File</source>
        <translation>파일(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="406"/>
        <source>Open &amp;Recent</source>
        <translation>최근 항목(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="407"/>
        <source>&amp;Playback</source>
        <translation>재생(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="408"/>
        <source>Stop</source>
        <translation>정지</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="409"/>
        <source>Speed</source>
        <translation>속도</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="410"/>
        <source>&amp;Audio</source>
        <translation>오디오(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="413"/>
        <source>&amp;View</source>
        <translation>보기(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="414"/>
        <source>&amp;Settings</source>
        <translation>설정(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="415"/>
        <source>Language</source>
        <translation>언어</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="416"/>
        <source>System default</source>
        <translation>시스템 기본값</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="417"/>
        <source>Network</source>
        <translation>네트워크</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="419"/>
        <source>RTSP transport: automatic</source>
        <translation>RTSP 전송: 자동</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="420"/>
        <source>RTSP transport: UDP</source>
        <translation>RTSP 전송: UDP</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="421"/>
        <source>RTSP transport: TCP</source>
        <translation>RTSP 전송: TCP</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="422"/>
        <source>RTSP transport: HTTP tunnel</source>
        <translation>RTSP 전송: HTTP 터널</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="426"/>
        <source>Low latency for live streams</source>
        <translation>실시간 스트림 저지연</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="427"/>
        <source>&amp;Help</source>
        <translation>도움말(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="428"/>
        <source>About Heureum</source>
        <translation>흐름 정보</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="429"/>
        <source>Open Log Folder</source>
        <translation>로그 폴더 열기</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="461"/>
        <source>Clear</source>
        <translation>목록 지우기</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="491"/>
        <source>Cannot read %1: %2</source>
        <translation>%1을(를) 읽을 수 없습니다: %2</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="498"/>
        <source>The play list %1 is empty.</source>
        <translation>재생 목록 %1이(가) 비어 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="549"/>
        <source>Open file</source>
        <translation>파일 열기</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="551"/>
        <source>Media (%1);;All files (*)</source>
        <translation>미디어 (%1);;모든 파일 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="618"/>
        <source>Not seekable</source>
        <translation>탐색할 수 없음</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="632"/>
        <source>Live</source>
        <translation>실시간</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="639"/>
        <source>Volume: %1%</source>
        <translation>음량: %1%</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="650"/>
        <source>Mute</source>
        <translation>음소거</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="650"/>
        <source>Sound on</source>
        <translation>소리 켬</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="676"/>
        <source>Speed: %1×</source>
        <translation>속도: %1×</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="727"/>
        <source>There is no picture to capture yet.</source>
        <translation>아직 캡처할 화면이 없습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="733"/>
        <source>Screenshot failed: %1</source>
        <translation>스크린샷 실패: %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="737"/>
        <source>Screenshot saved to %1</source>
        <translation>스크린샷을 %1에 저장했습니다</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="793"/>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="793"/>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="865"/>
        <source>Keyboard shortcuts</source>
        <translation>단축키</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="873"/>
        <source>Mouse: double-click for fullscreen, wheel for volume.</source>
        <translation>마우스: 더블클릭은 전체 화면, 휠은 음량.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="902"/>
        <source>Paused</source>
        <translation>일시 정지</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="904"/>
        <source>End</source>
        <translation>끝</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="922"/>
        <source>Buffering… %1%</source>
        <translation>버퍼링… %1%</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="935"/>
        <source>Connection lost (%1). Reconnecting, attempt %2 in %3 s…</source>
        <translation>연결이 끊겼습니다 (%1). %3초 후 %2번째 재연결 시도…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="944"/>
        <source>Reconnected after %1 s.</source>
        <translation>%1초 만에 다시 연결되었습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="795"/>
        <source>Export timeline</source>
        <translation>타임라인 내보내기</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="809"/>
        <source>Export failed: %1</source>
        <translation>내보내기 실패: %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="813"/>
        <source>Timeline saved to %1</source>
        <translation>타임라인을 %1에 저장했습니다</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="747"/>
        <source>Off</source>
        <translation>끄기</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="411"/>
        <source>Audio track</source>
        <translation>오디오 트랙</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="412"/>
        <source>S&amp;ubtitles</source>
        <translation>자막(&amp;U)</translation>
    </message>
</context>
<context>
    <name>OpenUrlDialog</name>
    <message>
        <location filename="../../ui/open_dialog.py" line="35"/>
        <source>Open URL</source>
        <translation>URL 열기</translation>
    </message>
    <message>
        <location filename="../../ui/open_dialog.py" line="45"/>
        <source>https://…/master.m3u8, rtsp://camera/stream, rtmp://…, or a file path</source>
        <translation>https://…/master.m3u8, rtsp://camera/stream, rtmp://… 또는 파일 경로</translation>
    </message>
    <message>
        <location filename="../../ui/open_dialog.py" line="50"/>
        <source>Automatic (UDP, then TCP)</source>
        <translation>자동 (UDP, 안 되면 TCP)</translation>
    </message>
    <message>
        <location filename="../../ui/open_dialog.py" line="50"/>
        <source>HTTP tunnel</source>
        <translation>HTTP 터널</translation>
    </message>
    <message>
        <location filename="../../ui/open_dialog.py" line="55"/>
        <source>Low latency (live: small buffer, catch up)</source>
        <translation>저지연 (실시간: 작은 버퍼, 따라잡기)</translation>
    </message>
    <message>
        <location filename="../../ui/open_dialog.py" line="62"/>
        <source>URL:</source>
        <translation>URL:</translation>
    </message>
    <message>
        <location filename="../../ui/open_dialog.py" line="63"/>
        <source>RTSP transport:</source>
        <translation>RTSP 전송:</translation>
    </message>
    <message>
        <location filename="../../ui/open_dialog.py" line="66"/>
        <source>Credentials in the URL are never shown in logs or statistics.</source>
        <translation>URL의 인증 정보는 로그와 통계에 표시되지 않습니다.</translation>
    </message>
</context>
<context>
    <name>QualityMenu</name>
    <message>
        <location filename="../../ui/quality.py" line="41"/>
        <source>&amp;Quality</source>
        <translation>화질(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/quality.py" line="97"/>
        <source>Auto</source>
        <translation>자동</translation>
    </message>
    <message>
        <location filename="../../ui/quality.py" line="99"/>
        <source>Auto (%1)</source>
        <translation>자동 (%1)</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <location filename="../../ui/shortcuts.py" line="30"/>
        <source>Play / pause</source>
        <translation>재생 / 일시 정지</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="31"/>
        <source>Seek back 5 s</source>
        <translation>5초 뒤로</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="32"/>
        <source>Seek forward 5 s</source>
        <translation>5초 앞으로</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="33"/>
        <source>Seek back 60 s</source>
        <translation>60초 뒤로</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="34"/>
        <source>Seek forward 60 s</source>
        <translation>60초 앞으로</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="35"/>
        <source>Next frame (pauses)</source>
        <translation>다음 프레임 (일시 정지)</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="36"/>
        <source>Previous frame (pauses)</source>
        <translation>이전 프레임 (일시 정지)</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="37"/>
        <source>Volume down (also the wheel)</source>
        <translation>음량 줄이기 (휠도 가능)</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="38"/>
        <source>Volume up (also the wheel)</source>
        <translation>음량 키우기 (휠도 가능)</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="39"/>
        <source>Mute</source>
        <translation>음소거</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="40"/>
        <source>Slower (÷1.1)</source>
        <translation>느리게 (÷1.1)</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="41"/>
        <source>Faster (×1.1)</source>
        <translation>빠르게 (×1.1)</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="42"/>
        <source>Normal speed</source>
        <translation>보통 속도</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="44"/>
        <source>Fullscreen (also double-click)</source>
        <translation>전체 화면 (더블클릭도 가능)</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="46"/>
        <source>Leave fullscreen</source>
        <translation>전체 화면 끝내기</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="47"/>
        <source>Always on top</source>
        <translation>항상 위</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="48"/>
        <source>Screenshot</source>
        <translation>스크린샷</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="49"/>
        <source>Statistics overlay</source>
        <translation>통계 표시</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="50"/>
        <source>Jump to the live edge</source>
        <translation>실시간 지점으로 이동</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="53"/>
        <source>Next in play list</source>
        <translation>재생 목록의 다음 항목</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="54"/>
        <source>Previous in play list</source>
        <translation>재생 목록의 이전 항목</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="55"/>
        <source>Open a file</source>
        <translation>파일 열기</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="56"/>
        <source>Open a URL</source>
        <translation>URL 열기</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="57"/>
        <source>Show these keys</source>
        <translation>단축키 보기</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="58"/>
        <source>Quit</source>
        <translation>끝내기</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="51"/>
        <source>Bitrate and buffer panel</source>
        <translation>비트레이트·버퍼 패널</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="52"/>
        <source>Export the timeline</source>
        <translation>타임라인 내보내기</translation>
    </message>
</context>
<context>
    <name>StatsOverlay</name>
    <message>
        <location filename="../../ui/stats_overlay.py" line="84"/>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="90"/>
        <source>Protocol</source>
        <translation>프로토콜</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="102"/>
        <source>Video</source>
        <translation>비디오</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="110"/>
        <source>Audio</source>
        <translation>오디오</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="117"/>
        <source>Live latency</source>
        <translation>실시간 지연</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="132"/>
        <source>auto</source>
        <translation>자동</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="134"/>
        <source>locked</source>
        <translation>고정</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="157"/>
        <source>Buffer ahead</source>
        <translation>미리 받은 버퍼</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="145"/>
        <source>Loading</source>
        <translation>받는 중</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="171"/>
        <source>Speed</source>
        <translation>속도</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="162"/>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="165"/>
        <source>Position</source>
        <translation>위치</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="168"/>
        <source>Buffer</source>
        <translation>버퍼</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="175"/>
        <source>Bitrate</source>
        <translation>비트레이트</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="180"/>
        <source>Frames</source>
        <translation>프레임</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="181"/>
        <source>%1 shown, %2 dropped (%3 late, %4 catch-up)</source>
        <translation>%1 표시, %2 버림 (지연 %3, 따라잡기 %4)</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="196"/>
        <source>A/V offset</source>
        <translation>A/V 오차</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="200"/>
        <source>Stalls</source>
        <translation>끊김</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="207"/>
        <source>First frame</source>
        <translation>첫 프레임</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="219"/>
        <source>Counters</source>
        <translation>카운터</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="227"/>
        <source>Renderer</source>
        <translation>렌더러</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="228"/>
        <source>View</source>
        <translation>화면</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="140"/>
        <source>Variant</source>
        <translation>화질 단계</translation>
    </message>
    <message>
        <location filename="../../ui/stats_overlay.py" line="151"/>
        <source>Estimate</source>
        <translation>대역폭 추정</translation>
    </message>
</context>
<context>
    <name>TransportBar</name>
    <message>
        <location filename="../../ui/controls.py" line="204"/>
        <source>Play / pause (Space)</source>
        <translation>재생 / 일시 정지 (Space)</translation>
    </message>
    <message>
        <location filename="../../ui/controls.py" line="205"/>
        <source>Previous (&lt;)</source>
        <translation>이전 (&lt;)</translation>
    </message>
    <message>
        <location filename="../../ui/controls.py" line="206"/>
        <source>Next (&gt;)</source>
        <translation>다음 (&gt;)</translation>
    </message>
    <message>
        <location filename="../../ui/controls.py" line="207"/>
        <source>LIVE</source>
        <translation>실시간</translation>
    </message>
    <message>
        <location filename="../../ui/controls.py" line="208"/>
        <source>Go live</source>
        <translation>실시간으로</translation>
    </message>
    <message>
        <location filename="../../ui/controls.py" line="209"/>
        <source>Jump to the live edge (L)</source>
        <translation>실시간 지점으로 이동 (L)</translation>
    </message>
    <message>
        <location filename="../../ui/controls.py" line="210"/>
        <source>Mute (m)</source>
        <translation>음소거 (m)</translation>
    </message>
    <message>
        <location filename="../../ui/controls.py" line="211"/>
        <source>Volume (9 / 0, wheel)</source>
        <translation>음량 (9 / 0, 휠)</translation>
    </message>
    <message>
        <location filename="../../ui/controls.py" line="212"/>
        <source>Playback speed ([ / ], Backspace)</source>
        <translation>재생 속도 ([ / ], Backspace)</translation>
    </message>
    <message>
        <location filename="../../ui/controls.py" line="213"/>
        <source>Fullscreen (f, double-click)</source>
        <translation>전체 화면 (f, 더블클릭)</translation>
    </message>
    <message>
        <location filename="../../ui/controls.py" line="270"/>
        <source>latency %1 s</source>
        <translation>지연 %1초</translation>
    </message>
</context>
<context>
    <name>_DemoPresenter</name>
    <message>
        <location filename="../../ui/app.py" line="103"/>
        <source>Preparing the demo…</source>
        <translation>데모 준비 중…</translation>
    </message>
</context>
</TS>
