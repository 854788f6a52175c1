<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About Heureum</source>
        <translation>흐름 정보</translation>
    </message>
    <message>
        <source>Video output:</source>
        <translation>비디오 출력:</translation>
    </message>
    <message>
        <source>A streaming player and protocol test bench.</source>
        <translation>스트리밍 플레이어이자 프로토콜 테스트 벤치.</translation>
    </message>
    <message>
        <source>Log file:</source>
        <translation>로그 파일:</translation>
    </message>
    <message>
        <source>Open Log Folder</source>
        <translation>로그 폴더 열기</translation>
    </message>
</context>
<context>
    <name>AbrPanel</name>
    <message>
        <source>Error at %1 s</source>
        <translation>%1초에 오류</translation>
    </message>
    <message>
        <source>Bitrate and buffer</source>
        <extracomment>the time axis of an empty session (s) a poll this long (s) after the newest download (and the newest poll kept) is kept as a sample: no segment arrives (an outage, a full VOD buffer), and the buffer drawn must drain to the stall, not run straight to the next download the time of the newest ``abr_timeline()`` entry read the selected rung&apos;s bitrate in the newest timeline sample an adaptive session&apos;s values at the last poll (see ``_add_now``)</extracomment>
        <translation>비트레이트와 버퍼</translation>
    </message>
    <message>
        <source>Mb/s</source>
        <translation>Mb/s</translation>
    </message>
    <message>
        <source>s</source>
        <translation>초</translation>
    </message>
    <message>
        <source>session time (s)</source>
        <translation>세션 시간 (초)</translation>
    </message>
    <message>
        <source>bandwidth estimate %1</source>
        <translation>대역폭 추정 %1</translation>
    </message>
    <message>
        <source>selected %1</source>
        <translation>선택 %1</translation>
    </message>
    <message>
        <source>input bitrate %1</source>
        <translation>입력 비트레이트 %1</translation>
    </message>
    <message>
        <source>buffer %1</source>
        <translation>버퍼 %1</translation>
    </message>
    <message>
        <source>buffer %1 downloaded</source>
        <translation>버퍼 %1 받아 둠</translation>
    </message>
    <message>
        <source>1 switch</source>
        <translation>전환 1회</translation>
    </message>
    <message>
        <source>%1 switches</source>
        <translation>전환 %1회</translation>
    </message>
    <message>
        <source>1 stall</source>
        <translation>멈춤 1회</translation>
    </message>
    <message>
        <source>%1 stalls</source>
        <translation>멈춤 %1회</translation>
    </message>
    <message>
        <source>not measured yet</source>
        <translation>아직 측정 전</translation>
    </message>
</context>
<context>
    <name>AbrPolicyMenu</name>
    <message>
        <source>ABR policy</source>
        <extracomment>one checkable action a policy, by its name</extracomment>
        <translation>ABR 정책</translation>
    </message>
    <message>
        <source>Hybrid: throughput, then buffer</source>
        <translation>하이브리드: 처리량, 이어서 버퍼</translation>
    </message>
    <message>
        <source>Model-predictive: plans a few segments ahead (default)</source>
        <translation>모델 예측: 몇 세그먼트 앞을 계획 (기본값)</translation>
    </message>
    <message>
        <source>Used for HLS streams opened from now on</source>
        <translation>지금부터 여는 HLS 스트림에 적용</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>Cannot write to %1 (%2): settings, resume positions and the log are not kept</source>
        <translation>%1에 쓸 수 없습니다(%2). 설정, 이어보기 위치, 로그가 저장되지 않습니다</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>%1 여는 중…</translation>
    </message>
</context>
<context>
    <name>CompareWindow</name>
    <message>
        <source>&amp;Compare</source>
        <translation>비교(&amp;C)</translation>
    </message>
    <message>
        <source>Export comparison…</source>
        <translation>비교 내보내기…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>닫기</translation>
    </message>
    <message>
        <source>&amp;Rung</source>
        <translation>화질 단계(&amp;R)</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>자동</translation>
    </message>
    <message>
        <source>Export comparison</source>
        <translation>비교 내보내기</translation>
    </message>
    <message>
        <source>Compare streams</source>
        <translation>스트림 비교</translation>
    </message>
    <message>
        <source>2 to 4 URLs or files, one a line:</source>
        <translation>URL 또는 파일 2~4개 (한 줄에 하나씩):</translation>
    </message>
    <message>
        <source>Give 2 to 4 URLs, one a line (%1 given).</source>
        <translation>URL을 한 줄에 하나씩 2~4개 입력하세요 (%1개 입력됨).</translation>
    </message>
</context>
<context>
    <name>DemoLoader</name>
    <message>
        <source>The built-in demo is not available in this build (lab.demo is missing). Open a file with Ctrl+O or a URL with Ctrl+L.</source>
        <translation>이 빌드에는 내장 데모가 없습니다 (lab.demo 없음). Ctrl+O로 파일을, Ctrl+L로 URL을 여세요.</translation>
    </message>
</context>
<context>
    <name>ErrorText</name>
    <message>
        <source>This stream has no variant {variant}: it has {count}, numbered 0 (the lowest bitrate) to {last}. Pick one of those, or leave the choice to the player.</source>
        <translation>이 스트림에는 변형 {variant}이(가) 없습니다. 변형은 {count}개이며 0(가장 낮은 비트레이트)부터 {last}까지 번호가 붙어 있습니다. 그중 하나를 고르거나 플레이어가 고르도록 두세요.</translation>
    </message>
    <message>
        <source>File not found: {where}. Check the name and the folder; the file may have been moved or deleted.</source>
        <translation>파일을 찾을 수 없습니다: {where}. 이름과 폴더를 확인하세요. 파일이 옮겨졌거나 삭제되었을 수 있습니다.</translation>
    </message>
    <message>
        <source>This is a folder, not a media file: {where}. Open a video or audio file in it.</source>
        <translation>미디어 파일이 아니라 폴더입니다: {where}. 폴더 안의 동영상이나 오디오 파일을 여세요.</translation>
    </message>
    <message>
        <source>Permission denied reading {where}. Ask for read access to the file, or copy it to a folder of your own.</source>
        <translation>{where}을(를) 읽을 권한이 없습니다. 파일의 읽기 권한을 요청하거나, 자신의 폴더로 복사하세요.</translation>
    </message>
    <message>
        <source>The file could not be read (input/output error): {where}. The disk or the file may be damaged; copy it again and retry.</source>
        <translation>파일을 읽을 수 없습니다(입출력 오류): {where}. 디스크나 파일이 손상되었을 수 있습니다. 파일을 다시 복사한 뒤 다시 시도하세요.</translation>
    </message>
    <message>
        <source>The file ends before its media begins: {where}. It is cut short or still downloading; wait for the download to finish, or get the file again.</source>
        <translation>미디어가 시작되기 전에 파일이 끝납니다: {where}. 파일이 잘렸거나 아직 내려받는 중입니다. 다운로드가 끝날 때까지 기다리거나 파일을 다시 받으세요.</translation>
    </message>
    <message>
        <source>Connection refused: nothing is listening at {where}. Check the address and the port, and that the server is running.</source>
        <translation>연결이 거부되었습니다: {where}에서 응답하는 서버가 없습니다. 주소와 포트, 그리고 서버가 실행 중인지 확인하세요.</translation>
    </message>
    <message>
        <source>The server&apos;s name could not be found: {where}. Check the address for typos, and that this computer is online.</source>
        <translation>서버 이름을 찾을 수 없습니다: {where}. 주소에 오타가 없는지, 이 컴퓨터가 인터넷에 연결되어 있는지 확인하세요.</translation>
    </message>
    <message>
        <source>The server did not answer in time: {where}. Check your network connection, or try again later.</source>
        <translation>서버가 제시간에 응답하지 않았습니다: {where}. 네트워크 연결을 확인하거나 나중에 다시 시도하세요.</translation>
    </message>
    <message>
        <source>The connection was lost while reading {where}. Check your network connection and open it again.</source>
        <translation>{where}을(를) 읽는 중에 연결이 끊어졌습니다. 네트워크 연결을 확인하고 다시 여세요.</translation>
    </message>
    <message>
        <source>The data ends before its media begins: {where}. The file on the server may be cut short, or the server closed the connection early; try again later.</source>
        <translation>미디어가 시작되기 전에 데이터가 끝납니다: {where}. 서버의 파일이 잘렸거나 서버가 연결을 일찍 닫았을 수 있습니다. 나중에 다시 시도하세요.</translation>
    </message>
    <message>
        <source>The server has no stream at this address ({protocol} 404): {where}. Check the address; the link may be wrong or expired.</source>
        <translation>서버에 이 주소의 스트림이 없습니다({protocol} 404): {where}. 주소를 확인하세요. 링크가 잘못되었거나 만료되었을 수 있습니다.</translation>
    </message>
    <message>
        <source>The server refused access ({protocol} 403): {where}. You may need permission, or a fresh link.</source>
        <translation>서버가 접근을 거부했습니다({protocol} 403): {where}. 권한이나 새 링크가 필요할 수 있습니다.</translation>
    </message>
    <message>
        <source>The server asks for a login ({protocol} 401): {where}. Put the user name and password in the address, as scheme://user:password@host/path.</source>
        <translation>서버가 로그인을 요구합니다({protocol} 401): {where}. 사용자 이름과 비밀번호를 주소에 scheme://user:password@host/path 형식으로 넣으세요.</translation>
    </message>
    <message>
        <source>The server failed ({protocol} 5xx): {where}. The fault is on the server; try again later.</source>
        <translation>서버에 오류가 발생했습니다({protocol} 5xx): {where}. 서버 쪽 문제이니 나중에 다시 시도하세요.</translation>
    </message>
    <message>
        <source>The server rejected the request ({protocol} 4xx): {where}. Check the address.</source>
        <translation>서버가 요청을 거절했습니다({protocol} 4xx): {where}. 주소를 확인하세요.</translation>
    </message>
    <message>
        <source>Gave up reconnecting after {attempts} attempts. The last try said: {reason}</source>
        <translation>{attempts}번 다시 연결을 시도한 끝에 포기했습니다. 마지막 시도의 오류: {reason}</translation>
    </message>
    <message>
        <source>A network problem stopped playback: {detail}. Check your network connection and open the stream again.</source>
        <translation>네트워크 문제로 재생이 멈췄습니다: {detail}. 네트워크 연결을 확인하고 스트림을 다시 여세요.</translation>
    </message>
    <message>
        <source>Not a playable media stream (the data is not in a known format): {where}. Check that the address points to a video or audio file, not to a web page.</source>
        <translation>재생할 수 있는 미디어 스트림이 아닙니다(알려진 형식의 데이터가 아님): {where}. 주소가 웹 페이지가 아니라 동영상이나 오디오 파일을 가리키는지 확인하세요.</translation>
    </message>
    <message>
        <source>No audio or video in {where}. It holds no track that Heureum can play.</source>
        <translation>{where}에 오디오도 동영상도 없습니다. Heureum이 재생할 수 있는 트랙이 없습니다.</translation>
    </message>
    <message>
        <source>The stream ended early, at {reached} s of {expected} s (the file may be truncated). Get it again if it should be longer.</source>
        <translation>스트림이 일찍 끝났습니다: {expected}초 중 {reached}초(파일이 잘렸을 수 있음). 더 길어야 한다면 파일을 다시 받으세요.</translation>
    </message>
    <message>
        <source>Bad playlist: {reason}. The stream&apos;s playlist is broken; try again later, or tell its publisher.</source>
        <translation>잘못된 재생 목록: {reason}. 스트림의 재생 목록이 손상되었습니다. 나중에 다시 시도하거나 게시자에게 알리세요.</translation>
    </message>
    <message>
        <source>Bad playlist (line {line}): {reason}. The stream&apos;s playlist is broken; try again later, or tell its publisher.</source>
        <translation>잘못된 재생 목록({line}번째 줄): {reason}. 스트림의 재생 목록이 손상되었습니다. 나중에 다시 시도하거나 게시자에게 알리세요.</translation>
    </message>
    <message>
        <source>The stream cannot be played: {detail}. The data is damaged, or in a form Heureum does not play.</source>
        <translation>스트림을 재생할 수 없습니다: {detail}. 데이터가 손상되었거나 Heureum이 재생하지 않는 형식입니다.</translation>
    </message>
    <message>
        <source>Corrupt video data at {position} s: some frames could not be decoded (playback continues). If this happens often, the source is damaged.</source>
        <translation>{position}초 지점의 동영상 데이터가 손상되었습니다: 일부 프레임을 디코딩하지 못했습니다(재생은 계속됩니다). 자주 일어나면 원본이 손상된 것입니다.</translation>
    </message>
    <message>
        <source>Corrupt audio data at {position} s: some sound could not be decoded (playback continues). If this happens often, the source is damaged.</source>
        <translation>{position}초 지점의 오디오 데이터가 손상되었습니다: 일부 소리를 디코딩하지 못했습니다(재생은 계속됩니다). 자주 일어나면 원본이 손상된 것입니다.</translation>
    </message>
    <message>
        <source>The media could not be decoded: {detail}. The data may be damaged.</source>
        <translation>미디어를 디코딩할 수 없습니다: {detail}. 데이터가 손상되었을 수 있습니다.</translation>
    </message>
    <message>
        <source>No URL or file given. Type an address or choose a file.</source>
        <translation>URL이나 파일이 주어지지 않았습니다. 주소를 입력하거나 파일을 고르세요.</translation>
    </message>
    <message>
        <source>Unsupported URL scheme &apos;{scheme}:&apos; in {where}. Heureum opens http(s), rtsp(s) and rtmp(s) addresses and local files.</source>
        <translation>지원하지 않는 URL 스킴 &apos;{scheme}:&apos;입니다: {where}. Heureum은 http(s), rtsp(s), rtmp(s) 주소와 로컬 파일을 엽니다.</translation>
    </message>
    <message>
        <source>Remote file URLs are not supported: {where}. Copy the file to this computer, or open it over http(s).</source>
        <translation>원격 file URL은 지원하지 않습니다: {where}. 파일을 이 컴퓨터로 복사하거나 http(s)로 여세요.</translation>
    </message>
    <message>
        <source>The URL has no host name: {where}. Check the address.</source>
        <translation>URL에 호스트 이름이 없습니다: {where}. 주소를 확인하세요.</translation>
    </message>
    <message>
        <source>No decoder for this codec: {where}. Heureum cannot play this format; open another version of the media.</source>
        <translation>이 코덱의 디코더가 없습니다: {where}. Heureum은 이 형식을 재생할 수 없습니다. 다른 버전의 미디어를 여세요.</translation>
    </message>
    <message>
        <source>The video is {width}x{height}, larger than the {limit} pixel limit. Open a smaller version of the stream.</source>
        <translation>동영상이 {width}x{height}로, {limit} 픽셀 제한보다 큽니다. 더 작은 버전의 스트림을 여세요.</translation>
    </message>
    <message>
        <source>Heureum cannot play this: {detail}. Open another version of the media, or another address.</source>
        <translation>Heureum이 재생할 수 없습니다: {detail}. 다른 버전의 미디어나 다른 주소를 여세요.</translation>
    </message>
    <message>
        <source>The server&apos;s TLS certificate is not trusted ({reason}): {where}. Check the address; the connection may not be private.</source>
        <translation>서버의 TLS 인증서를 신뢰할 수 없습니다({reason}): {where}. 주소를 확인하세요. 안전한 연결이 아닐 수 있습니다.</translation>
    </message>
    <message>
        <source>The server&apos;s TLS certificate was not accepted: {where}. Check the address, and this computer&apos;s date and time.</source>
        <translation>서버의 TLS 인증서가 받아들여지지 않았습니다: {where}. 주소와 이 컴퓨터의 날짜와 시간을 확인하세요.</translation>
    </message>
    <message>
        <source>Refused to follow where the server sent us (a redirect to another protocol, such as file:, is never followed): {where}. Open the final address yourself if you trust it.</source>
        <translation>서버가 보낸 곳으로 따라가지 않았습니다(다른 프로토콜, 예를 들어 file:로의 리디렉션은 따르지 않습니다): {where}. 신뢰한다면 최종 주소를 직접 여세요.</translation>
    </message>
    <message>
        <source>Refused to follow {where} to a protocol outside its own family ({detail}). Open the final address yourself if you trust it.</source>
        <translation>{where}을(를) 다른 계열의 프로토콜로 따라가지 않았습니다({detail}). 신뢰한다면 최종 주소를 직접 여세요.</translation>
    </message>
    <message>
        <source>Refused for your safety: {detail}. Open the media from a source you trust.</source>
        <translation>안전을 위해 거부했습니다: {detail}. 신뢰할 수 있는 곳의 미디어를 여세요.</translation>
    </message>
    <message>
        <source>Internal error: {detail}. This is a bug in Heureum; please report it with the log.</source>
        <translation>내부 오류: {detail}. Heureum의 버그입니다. 로그와 함께 알려 주세요.</translation>
    </message>
</context>
<context>
    <name>LabMenu</name>
    <message>
        <source>Making the lab&apos;s streams (first run)…</source>
        <translation>실험실 스트림을 만드는 중 (처음 한 번)…</translation>
    </message>
    <message>
        <source>&amp;Lab</source>
        <extracomment>the lab&apos;s streams a comparison shows, in this order, the first four there are: one of each protocol family first, the other HLS packagings after the choice that asks for a profile file</extracomment>
        <translation>실험실(&amp;L)</translation>
    </message>
    <message>
        <source>Compare protocols…</source>
        <translation>프로토콜 비교…</translation>
    </message>
    <message>
        <source>No impairment</source>
        <translation>장애 없음</translation>
    </message>
    <message>
        <source>From a file (TOML or JSON)…</source>
        <translation>파일에서 (TOML 또는 JSON)…</translation>
    </message>
    <message>
        <source>Compare protocols</source>
        <translation>프로토콜 비교</translation>
    </message>
    <message>
        <source>Network profile:</source>
        <translation>네트워크 프로필:</translation>
    </message>
    <message>
        <source>Network profile</source>
        <translation>네트워크 프로필</translation>
    </message>
    <message>
        <source>Profiles (*.toml *.json);;All files (*)</source>
        <translation>프로필 (*.toml *.json);;모든 파일 (*)</translation>
    </message>
    <message>
        <source>Starting the network lab…</source>
        <extracomment>the lab being started (None once it serves or failed)</extracomment>
        <translation>네트워크 실험실을 시작하는 중…</translation>
    </message>
    <message>
        <source>no impairment</source>
        <translation>장애 없음</translation>
    </message>
    <message>
        <source>Heureum — lab (%1)</source>
        <translation>Heureum — 실험실 (%1)</translation>
    </message>
    <message>
        <source>Network lab: %1</source>
        <translation>네트워크 실험실: %1</translation>
    </message>
    <message>
        <source>The network lab did not start: %1</source>
        <translation>네트워크 실험실을 시작하지 못했습니다: %1</translation>
    </message>
</context>
<context>
    <name>LevelControls</name>
    <message>
        <source>Volume: %1%</source>
        <translation>음량: %1%</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>음소거</translation>
    </message>
    <message>
        <source>Sound on</source>
        <translation>소리 켬</translation>
    </message>
    <message>
        <source>Speed: %1×</source>
        <translation>속도: %1×</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>end to end</source>
        <translation>종단 간</translation>
    </message>
    <message>
        <source>to the live edge</source>
        <translation>라이브 끝까지</translation>
    </message>
    <message>
        <source>Not seekable</source>
        <translation>탐색할 수 없음</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>실시간</translation>
    </message>
    <message>
        <source>There is no picture to capture yet.</source>
        <translation>아직 캡처할 화면이 없습니다.</translation>
    </message>
    <message>
        <source>Screenshot failed: %1</source>
        <translation>스크린샷 실패: %1</translation>
    </message>
    <message>
        <source>Screenshot saved to %1</source>
        <translation>스크린샷을 %1에 저장했습니다</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>일시 정지</translation>
    </message>
    <message>
        <source>Ended — Space to replay</source>
        <translation>끝 — Space로 다시 재생</translation>
    </message>
    <message>
        <source>Resumed at %1</source>
        <translation>%1부터 이어서 재생</translation>
    </message>
</context>
<context>
    <name>Notices</name>
    <message>
        <source>Buffering… %1%</source>
        <translation>버퍼링… %1%</translation>
    </message>
    <message>
        <source>Connection lost (%1). Reconnecting, attempt %2 in %3 s…</source>
        <translation>연결이 끊겼습니다 (%1). %3초 후 %2번째 재연결 시도…</translation>
    </message>
    <message>
        <source>Reconnected after %1 s.</source>
        <translation>%1초 만에 다시 연결되었습니다.</translation>
    </message>
</context>
<context>
    <name>OpenUrlDialog</name>
    <message>
        <source>Open URL</source>
        <translation>URL 열기</translation>
    </message>
    <message>
        <source>https://…/master.m3u8, rtsp://camera/stream, rtmp://…, or a file path</source>
        <translation>https://…/master.m3u8, rtsp://camera/stream, rtmp://… 또는 파일 경로</translation>
    </message>
    <message>
        <source>Automatic (UDP, then TCP)</source>
        <translation>자동 (UDP, 안 되면 TCP)</translation>
    </message>
    <message>
        <source>HTTP tunnel</source>
        <translation>HTTP 터널</translation>
    </message>
    <message>
        <source>Low latency (live: small buffer, catch up)</source>
        <translation>저지연 (실시간: 작은 버퍼, 따라잡기)</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation>URL:</translation>
    </message>
    <message>
        <source>RTSP transport:</source>
        <translation>RTSP 전송:</translation>
    </message>
    <message>
        <source>Credentials in the URL are never shown in logs or statistics.</source>
        <translation>URL의 인증 정보는 로그와 통계에 표시되지 않습니다.</translation>
    </message>
</context>
<context>
    <name>Opener</name>
    <message>
        <source>Cannot read %1: %2</source>
        <extracomment>the options of what plays, without its resume point: the next entry reuses them where the session that is opening was resumed (None: from its start)</extracomment>
        <translation>%1을(를) 읽을 수 없습니다: %2</translation>
    </message>
    <message>
        <source>The play list %1 is empty.</source>
        <translation>재생 목록 %1이(가) 비어 있습니다.</translation>
    </message>
    <message>
        <source>Open file</source>
        <translation>파일 열기</translation>
    </message>
    <message>
        <source>Media (%1);;All files (*)</source>
        <translation>미디어 (%1);;모든 파일 (*)</translation>
    </message>
    <message>
        <source>Load subtitles</source>
        <translation>자막 불러오기</translation>
    </message>
    <message>
        <source>Subtitles: %1</source>
        <translation>자막: %1</translation>
    </message>
    <message>
        <source>Save the play list</source>
        <translation>재생 목록 저장</translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation>%1을(를) 저장할 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Play list saved to %1</source>
        <translation>재생 목록을 %1에 저장했습니다</translation>
    </message>
</context>
<context>
    <name>Panels</name>
    <message>
        <source>JSON (*.json)</source>
        <extracomment>the engine&apos;s last stats (1 Hz), for the overlay and the latency label the rung being fetched, ahead of the one playing</extracomment>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Export timeline</source>
        <translation>타임라인 내보내기</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>내보내기 실패: %1</translation>
    </message>
    <message>
        <source>Timeline saved to %1</source>
        <translation>타임라인을 %1에 저장했습니다</translation>
    </message>
</context>
<context>
    <name>PlaylistPanel</name>
    <message>
        <source>Play list</source>
        <translation>재생 목록</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>제거</translation>
    </message>
    <message>
        <source>Save as M3U8…</source>
        <translation>M3U8로 저장…</translation>
    </message>
    <message>
        <source>Shuffle</source>
        <translation>무작위</translation>
    </message>
    <message>
        <source>No loop</source>
        <translation>반복 없음</translation>
    </message>
    <message>
        <source>Loop this entry</source>
        <translation>이 항목 반복</translation>
    </message>
    <message>
        <source>Loop the list</source>
        <translation>목록 반복</translation>
    </message>
</context>
<context>
    <name>QualityMenu</name>
    <message>
        <source>&amp;Quality</source>
        <translation>화질(&amp;Q)</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>자동</translation>
    </message>
    <message>
        <source>Auto (%1)</source>
        <translation>자동 (%1)</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <source>Subtitles 100 ms earlier</source>
        <translation>자막 100 ms 앞당기기</translation>
    </message>
    <message>
        <source>Subtitles 100 ms later</source>
        <translation>자막 100 ms 늦추기</translation>
    </message>
    <message>
        <source>Screenshot with subtitles</source>
        <translation>자막 포함 스크린샷</translation>
    </message>
    <message>
        <source>Screenshot without subtitles</source>
        <translation>자막 없는 스크린샷</translation>
    </message>
    <message>
        <source>Smaller subtitles</source>
        <translation>자막 작게</translation>
    </message>
    <message>
        <source>Bigger subtitles</source>
        <translation>자막 크게</translation>
    </message>
    <message>
        <source>Play list panel</source>
        <translation>재생 목록 패널</translation>
    </message>
    <message>
        <source>Play / pause</source>
        <translation>재생 / 일시 정지</translation>
    </message>
    <message>
        <source>Seek back 5 s</source>
        <translation>5초 뒤로</translation>
    </message>
    <message>
        <source>Seek forward 5 s</source>
        <translation>5초 앞으로</translation>
    </message>
    <message>
        <source>Seek back 60 s</source>
        <translation>60초 뒤로</translation>
    </message>
    <message>
        <source>Seek forward 60 s</source>
        <translation>60초 앞으로</translation>
    </message>
    <message>
        <source>Next frame (pauses)</source>
        <translation>다음 프레임 (일시 정지)</translation>
    </message>
    <message>
        <source>Previous frame (pauses)</source>
        <translation>이전 프레임 (일시 정지)</translation>
    </message>
    <message>
        <source>Volume down (also the wheel)</source>
        <translation>음량 줄이기 (휠도 가능)</translation>
    </message>
    <message>
        <source>Volume up (also the wheel)</source>
        <translation>음량 키우기 (휠도 가능)</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>음소거</translation>
    </message>
    <message>
        <source>Slower (÷1.1)</source>
        <translation>느리게 (÷1.1)</translation>
    </message>
    <message>
        <source>Faster (×1.1)</source>
        <translation>빠르게 (×1.1)</translation>
    </message>
    <message>
        <source>Normal speed</source>
        <translation>보통 속도</translation>
    </message>
    <message>
        <source>Fullscreen (also double-click)</source>
        <translation>전체 화면 (더블클릭도 가능)</translation>
    </message>
    <message>
        <source>Leave fullscreen</source>
        <translation>전체 화면 끝내기</translation>
    </message>
    <message>
        <source>Always on top</source>
        <translation>항상 위</translation>
    </message>
    <message>
        <source>Statistics overlay</source>
        <translation>통계 표시</translation>
    </message>
    <message>
        <source>Jump to the live edge</source>
        <translation>실시간 지점으로 이동</translation>
    </message>
    <message>
        <source>Next in play list</source>
        <translation>재생 목록의 다음 항목</translation>
    </message>
    <message>
        <source>Previous in play list</source>
        <translation>재생 목록의 이전 항목</translation>
    </message>
    <message>
        <source>Open a file</source>
        <translation>파일 열기</translation>
    </message>
    <message>
        <source>Open a URL</source>
        <translation>URL 열기</translation>
    </message>
    <message>
        <source>Show these keys</source>
        <translation>단축키 보기</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>끝내기</translation>
    </message>
    <message>
        <source>Bitrate and buffer panel</source>
        <translation>비트레이트·버퍼 패널</translation>
    </message>
    <message>
        <source>Export the timeline</source>
        <translation>타임라인 내보내기</translation>
    </message>
</context>
<context>
    <name>StatsOverlay</name>
    <message>
        <source>ABR policy</source>
        <translation>ABR 정책</translation>
    </message>
    <message>
        <source>Video decoder</source>
        <translation>비디오 디코더</translation>
    </message>
    <message>
        <source>software</source>
        <translation>소프트웨어</translation>
    </message>
    <message>
        <source>program date-time</source>
        <translation>프로그램 날짜-시간</translation>
    </message>
    <message>
        <source>RTCP sender reports</source>
        <translation>RTCP 송신자 보고</translation>
    </message>
    <message>
        <source>Latency, end to end</source>
        <translation>지연 (종단 간)</translation>
    </message>
    <message>
        <source>Latency to live edge</source>
        <translation>라이브 끝까지 지연</translation>
    </message>
    <message>
        <source>%1 more rows: enlarge the window</source>
        <translation>%1개 항목 더 있음: 창을 키우세요</translation>
    </message>
    <message>
        <source>%1 downloaded</source>
        <translation>%1 받아 둠</translation>
    </message>
    <message>
        <source>This window</source>
        <translation>이 창</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>프로토콜</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>비디오</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>오디오</translation>
    </message>
    <message>
        <source>Live latency</source>
        <extracomment>the smallest font the overlay shrinks to before it leaves rows out its distance from the view&apos;s edges</extracomment>
        <translation>실시간 지연</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>자동</translation>
    </message>
    <message>
        <source>locked</source>
        <translation>고정</translation>
    </message>
    <message>
        <source>Loading</source>
        <translation>받는 중</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>속도</translation>
    </message>
    <message>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>위치</translation>
    </message>
    <message>
        <source>Buffer</source>
        <translation>버퍼</translation>
    </message>
    <message>
        <source>%1 painted, %2 coalesced of %3 presented</source>
        <translation>%3 전달 중 %1 그림, %2 합침</translation>
    </message>
    <message>
        <source>input</source>
        <translation>입력</translation>
    </message>
    <message>
        <source>media</source>
        <translation>미디어</translation>
    </message>
    <message>
        <source>video</source>
        <translation>비디오</translation>
    </message>
    <message>
        <source>audio</source>
        <translation>오디오</translation>
    </message>
    <message>
        <source>Bitrate</source>
        <translation>비트레이트</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>프레임</translation>
    </message>
    <message>
        <source>%1 shown, %2 dropped (%3 late, %4 catch-up, %5 decoder)</source>
        <translation>%1 표시, %2 버림 (지연 %3, 따라잡기 %4, 디코더 %5)</translation>
    </message>
    <message>
        <source>A/V offset</source>
        <translation>A/V 오차</translation>
    </message>
    <message>
        <source>Stalls</source>
        <translation>끊김</translation>
    </message>
    <message>
        <source>First frame</source>
        <translation>첫 프레임</translation>
    </message>
    <message>
        <source>Counters</source>
        <translation>카운터</translation>
    </message>
    <message>
        <source>Renderer</source>
        <translation>렌더러</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>화질 단계</translation>
    </message>
    <message>
        <source>Estimate</source>
        <translation>대역폭 추정</translation>
    </message>
    <message>
        <source>not measured yet</source>
        <translation>아직 측정 전</translation>
    </message>
</context>
<context>
    <name>TrackChoices</name>
    <message>
        <source>Off</source>
        <extracomment>the audio track picked in the menu for what plays (None: the media&apos;s default)</extracomment>
        <translation>끄기</translation>
    </message>
    <message>
        <source>Load…</source>
        <translation>불러오기…</translation>
    </message>
    <message>
        <source>Subtitle scale: %1</source>
        <translation>자막 크기: %1</translation>
    </message>
    <message>
        <source>Subtitle delay: %1 ms</source>
        <translation>자막 지연: %1 ms</translation>
    </message>
</context>
<context>
    <name>TransportBar</name>
    <message>
        <source>Play / pause (Space)</source>
        <translation>재생 / 일시 정지 (Space)</translation>
    </message>
    <message>
        <source>Previous (&lt;)</source>
        <translation>이전 (&lt;)</translation>
    </message>
    <message>
        <source>Next (&gt;)</source>
        <translation>다음 (&gt;)</translation>
    </message>
    <message>
        <source>LIVE</source>
        <translation>실시간</translation>
    </message>
    <message>
        <source>Go live</source>
        <translation>실시간으로</translation>
    </message>
    <message>
        <source>Jump to the live edge (L)</source>
        <translation>실시간 지점으로 이동 (L)</translation>
    </message>
    <message>
        <source>Mute (m)</source>
        <translation>음소거 (m)</translation>
    </message>
    <message>
        <source>Volume (9 / 0, wheel)</source>
        <translation>음량 (9 / 0, 휠)</translation>
    </message>
    <message>
        <source>Playback speed ([ / ], Backspace)</source>
        <translation>재생 속도 ([ / ], Backspace)</translation>
    </message>
    <message>
        <source>Fullscreen (f, double-click)</source>
        <translation>전체 화면 (f, 더블클릭)</translation>
    </message>
    <message>
        <source>latency %1 s</source>
        <translation>지연 %1초</translation>
    </message>
</context>
<context>
    <name>WarningText</name>
    <message>
        <source>cannot use the subtitle file {path}: {reason}</source>
        <translation>자막 파일 {path}을(를) 사용할 수 없습니다: {reason}</translation>
    </message>
    <message>
        <source>this stream has no variants to choose from (only HLS has them); it plays as it is</source>
        <translation>이 스트림에는 고를 수 있는 화질이 없습니다(HLS에만 있습니다). 그대로 재생합니다</translation>
    </message>
    <message>
        <source>the ABR policy {policy} is not used: ABR applies to HLS only, and this stream is {protocol}; it plays as it is</source>
        <translation>ABR 정책 {policy}은(는) 쓰이지 않습니다. ABR은 HLS에만 적용되며 이 스트림은 {protocol}입니다. 그대로 재생합니다</translation>
    </message>
    <message>
        <source>{url} broke off after {bytes} bytes ({reason}); asking for the rest</source>
        <translation>{url} 전송이 {bytes}바이트에서 끊겼습니다({reason}). 나머지를 다시 요청합니다</translation>
    </message>
    <message>
        <source>segment {sequence} skipped after it failed on every variant ({reason}); playback goes on past a {duration} s gap</source>
        <translation>세그먼트 {sequence}이(가) 모든 화질에서 실패해 건너뛰었습니다({reason}). {duration}초 빈 구간 뒤로 재생을 이어 갑니다</translation>
    </message>
    <message>
        <source>audio segment {sequence} skipped after it failed ({reason}); the audio has a {duration} s gap</source>
        <translation>오디오 세그먼트 {sequence}이(가) 실패해 건너뛰었습니다({reason}). 소리에 {duration}초 빈 구간이 있습니다</translation>
    </message>
    <message>
        <source>buffering: segment {sequence} downloading at {rate} kB/s</source>
        <translation>버퍼링: 세그먼트 {sequence}을(를) {rate} kB/s로 받는 중</translation>
    </message>
    <message>
        <source>a damaged segment was skipped ({reason}); playback goes on after it</source>
        <translation>손상된 세그먼트를 건너뛰었습니다({reason}). 그 뒤로 재생을 이어 갑니다</translation>
    </message>
    <message>
        <source>variant {variant} failed ({reason}); trying variant {target}</source>
        <translation>화질 {variant}이(가) 실패했습니다({reason}). 화질 {target}(으)로 시도합니다</translation>
    </message>
    <message>
        <source>variant {variant} failed ({reason}); trying its backup {url}</source>
        <translation>화질 {variant}이(가) 실패했습니다({reason}). 예비 주소 {url}(으)로 시도합니다</translation>
    </message>
    <message>
        <source>rejoined the live edge: {reason}</source>
        <translation>실시간 지점으로 다시 합류했습니다: {reason}</translation>
    </message>
    <message>
        <source>preload hints disabled ({reason}); parts are fetched once listed</source>
        <translation>미리 받기 힌트를 껐습니다({reason}). 파트는 목록에 오른 뒤에 받습니다</translation>
    </message>
    <message>
        <source>audio track {track} is unavailable: {reason}</source>
        <translation>오디오 트랙 {track}을(를) 쓸 수 없습니다: {reason}</translation>
    </message>
    <message>
        <source>subtitles could not be loaded: {reason}</source>
        <translation>자막을 불러오지 못했습니다: {reason}</translation>
    </message>
    <message>
        <source>subtitle track {track} is unavailable: {reason}</source>
        <translation>자막 트랙 {track}을(를) 쓸 수 없습니다: {reason}</translation>
    </message>
    <message>
        <source>there is no audio track {number} (it has {count}); playing the default one</source>
        <translation>오디오 트랙 {number}이(가) 없습니다(트랙 {count}개). 기본 트랙을 재생합니다</translation>
    </message>
    <message>
        <source>there is no subtitle track {number} (it has {count}); subtitles are off</source>
        <translation>자막 트랙 {number}이(가) 없습니다(트랙 {count}개). 자막을 끕니다</translation>
    </message>
    <message>
        <source>AES-128 key fetched over plain HTTP: {url}</source>
        <translation>AES-128 키를 암호화되지 않은 HTTP로 받았습니다: {url}</translation>
    </message>
    <message>
        <source>Hardware decoding is not available ({reason}); decoding in software.</source>
        <translation>하드웨어 디코딩을 쓸 수 없습니다({reason}). 소프트웨어로 디코딩합니다.</translation>
    </message>
    <message>
        <source>No audio: {reason}. Video plays on its own.</source>
        <translation>소리 없음: {reason}. 영상만 재생합니다.</translation>
    </message>
    <message>
        <source>connection refused by {where}</source>
        <translation>{where}에서 연결을 거부함</translation>
    </message>
    <message>
        <source>server not found: {where}</source>
        <translation>서버를 찾을 수 없음: {where}</translation>
    </message>
    <message>
        <source>no answer in time from {where}</source>
        <translation>{where}에서 제때 응답이 없음</translation>
    </message>
    <message>
        <source>connection to {where} lost</source>
        <translation>{where}와(과)의 연결이 끊김</translation>
    </message>
    <message>
        <source>{protocol} {status} from {where}</source>
        <translation>{where}에서 {protocol} {status}</translation>
    </message>
    <message>
        <source>the transfer from {where} broke off</source>
        <translation>{where}에서 받던 전송이 중간에 끊김</translation>
    </message>
    <message>
        <source>arriving too slowly from {where}</source>
        <translation>{where}에서 너무 느리게 도착함</translation>
    </message>
    <message>
        <source>the answer from {where} is too large</source>
        <translation>{where}의 응답이 너무 큼</translation>
    </message>
    <message>
        <source>{where} did not send the bytes asked for</source>
        <translation>{where}이(가) 요청한 바이트를 보내지 않음</translation>
    </message>
    <message>
        <source>too many redirects from {where}</source>
        <translation>{where}에서 리디렉션이 너무 많음</translation>
    </message>
    <message>
        <source>a network error with {where}</source>
        <translation>{where}와(과)의 네트워크 오류</translation>
    </message>
    <message>
        <source>the data is damaged or not media</source>
        <translation>데이터가 손상되었거나 미디어가 아님</translation>
    </message>
    <message>
        <source>the playlist is broken</source>
        <translation>재생 목록이 잘못됨</translation>
    </message>
    <message>
        <source>the playlist is broken at line {line}</source>
        <translation>재생 목록 {line}번째 줄이 잘못됨</translation>
    </message>
    <message>
        <source>a form Heureum does not play</source>
        <translation>Heureum이 재생하지 않는 형식</translation>
    </message>
    <message>
        <source>refused as unsafe: {where}</source>
        <translation>안전하지 않아 거부함: {where}</translation>
    </message>
    <message>
        <source>no such file</source>
        <translation>파일이 없음</translation>
    </message>
    <message>
        <source>permission denied</source>
        <translation>권한이 없음</translation>
    </message>
    <message>
        <source>the file could not be read</source>
        <translation>파일을 읽을 수 없음</translation>
    </message>
    <message>
        <source>segment {sequence} left the live window</source>
        <translation>세그먼트 {sequence}이(가) 라이브 창에서 벗어남</translation>
    </message>
    <message>
        <source>{behind} s behind the live edge (target {target} s)</source>
        <translation>라이브 끝보다 {behind}초 뒤처짐(목표 {target}초)</translation>
    </message>
    <message>
        <source>PyAV offers none of these devices: {devices}</source>
        <translation>PyAV가 다음 장치를 제공하지 않음: {devices}</translation>
    </message>
    <message>
        <source>{devices} cannot decode {codec}</source>
        <translation>{devices}에서 {codec}을(를) 디코딩할 수 없음</translation>
    </message>
    <message>
        <source>the device {devices} could not be opened</source>
        <translation>장치 {devices}을(를) 열 수 없음</translation>
    </message>
    <message>
        <source>audio output is turned off</source>
        <translation>오디오 출력이 꺼져 있음</translation>
    </message>
    <message>
        <source>PortAudio is not available</source>
        <translation>PortAudio를 사용할 수 없음</translation>
    </message>
    <message>
        <source>no usable output device</source>
        <translation>쓸 수 있는 출력 장치가 없음</translation>
    </message>
    <message>
        <source>an unexpected error</source>
        <translation>예기치 못한 오류</translation>
    </message>
    <message>
        <source>no subtitles in it (SubRip, WebVTT or ASS expected)</source>
        <translation>자막이 없음(SubRip, WebVTT 또는 ASS가 필요함)</translation>
    </message>
</context>
<context>
    <name>WindowMenus</name>
    <message>
        <source>&amp;File</source>
        <extracomment>the key table&apos;s actions that show a check mark a speed picked in the Speed menu an entry of Open Recent</extracomment>
        <translation>파일(&amp;F)</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>최근 항목(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Playback</source>
        <translation>재생(&amp;P)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>정지</translation>
    </message>
    <message>
        <source>Compare streams…</source>
        <translation>스트림 비교…</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>속도</translation>
    </message>
    <message>
        <source>&amp;Audio</source>
        <translation>오디오(&amp;A)</translation>
    </message>
    <message>
        <source>Audio track</source>
        <translation>오디오 트랙</translation>
    </message>
    <message>
        <source>S&amp;ubtitles</source>
        <translation>자막(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>보기(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>설정(&amp;S)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>언어</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>시스템 기본값</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>네트워크</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>비디오</translation>
    </message>
    <message>
        <source>Hardware decoding</source>
        <translation>하드웨어 디코딩</translation>
    </message>
    <message>
        <source>RTSP transport: automatic</source>
        <translation>RTSP 전송: 자동</translation>
    </message>
    <message>
        <source>RTSP transport: UDP</source>
        <translation>RTSP 전송: UDP</translation>
    </message>
    <message>
        <source>RTSP transport: TCP</source>
        <translation>RTSP 전송: TCP</translation>
    </message>
    <message>
        <source>RTSP transport: HTTP tunnel</source>
        <translation>RTSP 전송: HTTP 터널</translation>
    </message>
    <message>
        <source>Low latency for live streams</source>
        <translation>실시간 스트림 저지연</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>도움말(&amp;H)</translation>
    </message>
    <message>
        <source>About Heureum</source>
        <translation>흐름 정보</translation>
    </message>
    <message>
        <source>Open Log Folder</source>
        <translation>로그 폴더 열기</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>목록 지우기</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>단축키</translation>
    </message>
    <message>
        <source>Mouse: double-click for fullscreen, wheel for volume.</source>
        <translation>마우스: 더블클릭은 전체 화면, 휠은 음량.</translation>
    </message>
</context>
<context>
    <name>_DemoPresenter</name>
    <message>
        <source>Preparing the demo…</source>
        <translation>데모 준비 중…</translation>
    </message>
    <message>
        <source>ABR demo: the view-size cap is off, so every rung up to 720p can play whatever the window&apos;s size.</source>
        <translation>ABR 데모: 화면 크기 제한을 껐으므로 창 크기와 관계없이 720p까지 모든 단계가 재생될 수 있습니다.</translation>
    </message>
</context>
</TS>
