; Heureum's Windows installer: per user (no administrator rights), Start-menu
; entry, uninstaller, file and URL associations through Default Programs, and
; the GPLv3 licence page. Built by packaging/build.sh nsis or in CI:
;   makensis -DVERSION=0.1.0 -DSRCDIR=build\onedir\heureum -DOUTFILE=dist\heureum-0.1.0-windows-x64-setup.exe -DROOT=. packaging\windows\heureum.nsi
; Settings (%APPDATA%\Heureum) and logs (%LOCALAPPDATA%\Heureum\Logs) are kept
; on upgrade and on uninstall, unless "Remove my settings and logs" is ticked.

Unicode true
!include "MUI2.nsh"
!include "FileFunc.nsh"

!ifndef VERSION
  !error "pass -DVERSION=x.y.z"
!endif
!ifndef SRCDIR
  !error "pass -DSRCDIR=<the PyInstaller onedir folder>"
!endif
!ifndef OUTFILE
  !define OUTFILE "heureum-${VERSION}-windows-x64-setup.exe"
!endif
!ifndef ROOT
  !define ROOT "..\.."
!endif

!define APP "Heureum"
!define PROGID "Heureum.Media"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Heureum"
!define CAPS_KEY "Software\Heureum\Capabilities"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Heureum"
InstallDirRegKey HKCU "Software\Heureum" "InstallDir"
RequestExecutionLevel user
SetCompressor /SOLID lzma
Icon "${ROOT}\resources\icons\heureum.ico"
UninstallIcon "${ROOT}\resources\icons\heureum.ico"

!define MUI_ICON "${ROOT}\resources\icons\heureum.ico"
!define MUI_UNICON "${ROOT}\resources\icons\heureum.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\heureum.exe"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "${ROOT}\LICENSE"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Korean"

!macro Associate EXT
  WriteRegStr HKCU "Software\Classes\.${EXT}\OpenWithProgids" "${PROGID}" ""
  WriteRegStr HKCU "${CAPS_KEY}\FileAssociations" ".${EXT}" "${PROGID}"
!macroend
!macro Unassociate EXT
  DeleteRegValue HKCU "Software\Classes\.${EXT}\OpenWithProgids" "${PROGID}"
!macroend
!macro UrlScheme SCHEME
  WriteRegStr HKCU "Software\Classes\Heureum.${SCHEME}" "" "URL:${SCHEME} stream"
  WriteRegStr HKCU "Software\Classes\Heureum.${SCHEME}" "URL Protocol" ""
  WriteRegStr HKCU "Software\Classes\Heureum.${SCHEME}\shell\open\command" "" '"$INSTDIR\heureum.exe" "%1"'
  WriteRegStr HKCU "${CAPS_KEY}\URLAssociations" "${SCHEME}" "Heureum.${SCHEME}"
!macroend

Section "Heureum" SecMain
  SectionIn RO
  ; An upgrade replaces the program folder whole; settings live elsewhere.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${SRCDIR}\*"
  File "${ROOT}\LICENSE"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\Heureum.lnk" "$INSTDIR\heureum.exe" "" "$INSTDIR\heureum.exe" 0

  WriteRegStr HKCU "Software\Heureum" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "Software\Classes\${PROGID}" "" "Media file (Heureum)"
  WriteRegStr HKCU "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\heureum.exe,0"
  WriteRegStr HKCU "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\heureum.exe" "%1"'
  WriteRegStr HKCU "${CAPS_KEY}" "ApplicationName" "Heureum"
  WriteRegStr HKCU "${CAPS_KEY}" "ApplicationDescription" "Streaming player and protocol test bench"
  WriteRegStr HKCU "Software\RegisteredApplications" "Heureum" "${CAPS_KEY}"
  !insertmacro Associate "mp4"
  !insertmacro Associate "mkv"
  !insertmacro Associate "webm"
  !insertmacro Associate "mov"
  !insertmacro Associate "ts"
  !insertmacro Associate "flv"
  !insertmacro Associate "m3u8"
  !insertmacro Associate "mp3"
  !insertmacro Associate "m4a"
  !insertmacro Associate "flac"
  !insertmacro UrlScheme "rtsp"
  !insertmacro UrlScheme "rtmp"

  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "Heureum"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "The Heureum developers"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\heureum.exe"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" "$0"
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
SectionEnd

Section "un.Heureum" UnMain
  SectionIn RO
  Delete "$SMPROGRAMS\Heureum.lnk"
  RMDir /r "$INSTDIR"
  !insertmacro Unassociate "mp4"
  !insertmacro Unassociate "mkv"
  !insertmacro Unassociate "webm"
  !insertmacro Unassociate "mov"
  !insertmacro Unassociate "ts"
  !insertmacro Unassociate "flv"
  !insertmacro Unassociate "m3u8"
  !insertmacro Unassociate "mp3"
  !insertmacro Unassociate "m4a"
  !insertmacro Unassociate "flac"
  DeleteRegKey HKCU "Software\Classes\${PROGID}"
  DeleteRegKey HKCU "Software\Classes\Heureum.rtsp"
  DeleteRegKey HKCU "Software\Classes\Heureum.rtmp"
  DeleteRegValue HKCU "Software\RegisteredApplications" "Heureum"
  DeleteRegKey HKCU "Software\Heureum"
  DeleteRegKey HKCU "${UNINST_KEY}"
SectionEnd

Section /o "un.Remove my settings and logs" UnSettings
  RMDir /r "$APPDATA\Heureum"
  RMDir /r "$LOCALAPPDATA\Heureum"
SectionEnd
