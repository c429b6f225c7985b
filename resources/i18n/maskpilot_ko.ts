<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>AIController</name>
    <message>
        <source>Weights File</source>
        <translation>가중치 파일</translation>
    </message>
    <message>
        <source>PyTorch weights (*.pth *.pt);;All files (*)</source>
        <translation>PyTorch 가중치 (*.pth *.pt);;모든 파일 (*)</translation>
    </message>
    <message>
        <source>Downloading the weights of {model}…</source>
        <translation>{model}의 가중치를 내려받는 중…</translation>
    </message>
    <message>
        <source>No overlay: the weights of {model} are missing.</source>
        <translation>오버레이 없음: {model}의 가중치가 없습니다.</translation>
    </message>
    <message>
        <source>The weights of {model} are missing: choose the file, or download it when online.</source>
        <translation>{model}의 가중치가 없습니다. 파일을 선택하거나, 온라인일 때 내려받으세요.</translation>
    </message>
    <message>
        <source>No images to auto-fill.</source>
        <translation>자동 채우기할 이미지가 없습니다.</translation>
    </message>
    <message>
        <source>None of {model}&apos;s classes match a project class. Tick &apos;Add unmapped model classes&apos; or rename classes.</source>
        <translation>{model}의 클래스 중 프로젝트 클래스와 일치하는 것이 없습니다. &apos;대응하지 않는 모델 클래스를 프로젝트에 추가&apos;를 선택하거나 클래스 이름을 바꾸세요.</translation>
    </message>
    <message>
        <source>Added {n} classes from the model.</source>
        <translation>모델에서 클래스 {n}개를 추가했습니다.</translation>
    </message>
    <message>
        <source>Auto-Edit: finding the object in the box…</source>
        <translation>자동 편집: 상자 안의 객체를 찾는 중…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>취소하는 중…</translation>
    </message>
    <message>
        <source>Could not save the suggestions of {rel}: {error}</source>
        <translation>{rel}의 제안을 저장하지 못했습니다: {error}</translation>
    </message>
    <message>
        <source>Auto-fill ({n} suggestions)</source>
        <translation>자동 채우기 (제안 {n}개)</translation>
    </message>
    <message>
        <source>Auto-Edit found no object in the box.</source>
        <translation>자동 편집이 상자 안에서 객체를 찾지 못했습니다.</translation>
    </message>
    <message>
        <source>Auto-Edit box</source>
        <translation>자동 편집 상자</translation>
    </message>
    <message>
        <source>Cancelled after {done} of {total} images; {n} suggestions kept.</source>
        <translation>이미지 {total}개 중 {done}개 후 취소했습니다. 제안 {n}개는 유지됩니다.</translation>
    </message>
    <message>
        <source>Done: {done} images, {n} suggestions.</source>
        <translation>완료: 이미지 {done}개, 제안 {n}개.</translation>
    </message>
    <message>
        <source>{k} images could not be read.</source>
        <translation>이미지 {k}개를 읽을 수 없었습니다.</translation>
    </message>
</context>
<context>
    <name>AIPanel</name>
    <message>
        <source>Auto</source>
        <translation>자동</translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation>CUDA GPU</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>The instance model that proposes suggestions</source>
        <translation>제안을 만드는 인스턴스 모델</translation>
    </message>
    <message>
        <source>Train…</source>
        <translation>학습…</translation>
    </message>
    <message>
        <source>Train a model for this project&apos;s classes on the images marked done</source>
        <translation>완료로 표시한 이미지로 이 프로젝트의 클래스를 위한 모델을 학습합니다</translation>
    </message>
    <message>
        <source>Choose File…</source>
        <translation>파일 선택…</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>내려받기</translation>
    </message>
    <message>
        <source>A semantic model for the semantic and panoptic overlays</source>
        <translation>시맨틱·파노프틱 오버레이에 쓰는 시맨틱 모델</translation>
    </message>
    <message>
        <source>The click-to-mask model of the Interactive AI tool (S)</source>
        <translation>대화형 AI 도구(S)가 클릭으로 마스크를 만드는 모델</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>파일…</translation>
    </message>
    <message>
        <source>Choose the weights file of the interactive model</source>
        <translation>대화형 모델의 가중치 파일을 선택합니다</translation>
    </message>
    <message>
        <source>Detected when a model first runs</source>
        <translation>모델을 처음 실행할 때 감지합니다</translation>
    </message>
    <message>
        <source>Suggestions scoring below this are hidden; moving it never re-runs the model</source>
        <translation>이 값보다 점수가 낮은 제안은 숨깁니다. 움직여도 모델을 다시 실행하지 않습니다</translation>
    </message>
    <message>
        <source>Hide suggestions that duplicate an instance</source>
        <translation>인스턴스와 겹치는 제안 숨기기</translation>
    </message>
    <message>
        <source>Add unmapped model classes to the project</source>
        <translation>대응하지 않는 모델 클래스를 프로젝트에 추가</translation>
    </message>
    <message>
        <source>Auto-Fill Image</source>
        <translation>이미지 자동 채우기</translation>
    </message>
    <message>
        <source>Suggest instances on this image (I)</source>
        <translation>이 이미지에 인스턴스를 제안합니다 (I)</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>일괄</translation>
    </message>
    <message>
        <source>All Images</source>
        <translation>모든 이미지</translation>
    </message>
    <message>
        <source>Unfinished Images</source>
        <translation>미완료 이미지</translation>
    </message>
    <message>
        <source>Selected Images</source>
        <translation>선택한 이미지</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
    <message>
        <source>Accept All</source>
        <translation>모두 수락</translation>
    </message>
    <message>
        <source>Accept every shown suggestion on this image (Shift+Y)</source>
        <translation>이 이미지에 표시된 제안을 모두 수락합니다 (Shift+Y)</translation>
    </message>
    <message>
        <source>Reject Rest</source>
        <translation>나머지 거절</translation>
    </message>
    <message>
        <source>Remove every suggestion still pending on this image (Shift+N)</source>
        <translation>이 이미지에서 검토 대기 중인 제안을 모두 지웁니다 (Shift+N)</translation>
    </message>
    <message>
        <source>Next Pending</source>
        <translation>다음 검토 대기</translation>
    </message>
    <message>
        <source>Go to the next image with suggestions to review</source>
        <translation>검토할 제안이 있는 다음 이미지로 이동합니다</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <source>Overlay</source>
        <translation>오버레이</translation>
    </message>
    <message>
        <source>Interactive</source>
        <translation>대화형</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>장치</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>임계값</translation>
    </message>
    <message>
        <source>None</source>
        <translation>없음</translation>
    </message>
    <message>
        <source>{name} — weights needed</source>
        <translation>{name} — 가중치 필요</translation>
    </message>
    <message>
        <source>Auto uses {auto}. CUDA: {cuda}.</source>
        <translation>자동은 {auto}을(를) 사용합니다. CUDA: {cuda}.</translation>
    </message>
    <message>
        <source>{mapped} of {total} model classes match project classes.</source>
        <translation>모델 클래스 {total}개 중 {mapped}개가 프로젝트 클래스와 일치합니다.</translation>
    </message>
    <message>
        <source>Ignored: {names}</source>
        <translation>무시됨: {names}</translation>
    </message>
    <message>
        <source>{done} / {total} images · {rate:.2f} images/s · ETA {eta}</source>
        <translation>이미지 {done} / {total}개 · 초당 {rate:.2f}개 · 남은 시간 {eta}</translation>
    </message>
    <message>
        <source>No instance model is available.</source>
        <translation>사용할 수 있는 인스턴스 모델이 없습니다.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Weights needed.&lt;/b&gt; Choose the file, or download it when online.</source>
        <translation>&lt;b&gt;가중치가 필요합니다.&lt;/b&gt; 파일을 선택하거나, 온라인일 때 내려받으세요.</translation>
    </message>
    <message>
        <source>Weights: {file}</source>
        <translation>가중치: {file}</translation>
    </message>
</context>
<context>
    <name>Actions</name>
    <message>
        <source>Auto-&amp;Fill Image</source>
        <extracomment>Lowest score kept when a model runs; the review slider filters above it without re-running.</extracomment>
        <translation>이미지 자동 채우기(&amp;F)</translation>
    </message>
    <message>
        <source>Let the model suggest instances on this image</source>
        <translation>모델이 이 이미지에 인스턴스를 제안하게 합니다</translation>
    </message>
    <message>
        <source>Auto-Fill &amp;All Images</source>
        <translation>모든 이미지 자동 채우기(&amp;A)</translation>
    </message>
    <message>
        <source>Auto-Fill &amp;Unfinished Images</source>
        <translation>미완료 이미지 자동 채우기(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Cancel Auto-Fill</source>
        <translation>자동 채우기 취소(&amp;C)</translation>
    </message>
    <message>
        <source>Segment &amp;Everything (Interactive AI)</source>
        <extracomment>A resting pointer is previewed after this pause (ms); moving on cancels it.</extracomment>
        <translation>대화형 AI로 전체 분할(&amp;E)</translation>
    </message>
    <message>
        <source>Suggest a mask for every object the interactive model finds, in the current class</source>
        <translation>대화형 모델이 찾은 모든 객체에 현재 클래스로 마스크를 제안합니다</translation>
    </message>
    <message>
        <source>Toggle &amp;Semantic Overlay</source>
        <translation>시맨틱 오버레이 켜기/끄기(&amp;S)</translation>
    </message>
    <message>
        <source>Show or hide the semantic segmentation of this image</source>
        <translation>이 이미지의 시맨틱 분할을 보이거나 숨깁니다</translation>
    </message>
    <message>
        <source>Toggle Pa&amp;noptic Overlay</source>
        <translation>파노프틱 오버레이 켜기/끄기(&amp;N)</translation>
    </message>
    <message>
        <source>Show or hide the panoptic segmentation of this image</source>
        <translation>이 이미지의 파노프틱 분할을 보이거나 숨깁니다</translation>
    </message>
    <message>
        <source>&amp;Make Instance From Segment</source>
        <translation>세그먼트로 인스턴스 만들기(&amp;M)</translation>
    </message>
    <message>
        <source>Turn the overlay segment under the mouse pointer into an editable instance</source>
        <translation>마우스 포인터 아래의 오버레이 세그먼트를 편집 가능한 인스턴스로 바꿉니다</translation>
    </message>
    <message>
        <source>&amp;Accept Suggestion</source>
        <translation>제안 수락(&amp;A)</translation>
    </message>
    <message>
        <source>Accept the selected suggestions (or the next one in the queue)</source>
        <translation>선택한 제안(또는 대기열의 다음 제안)을 수락합니다</translation>
    </message>
    <message>
        <source>&amp;Reject Suggestion</source>
        <translation>제안 거절(&amp;R)</translation>
    </message>
    <message>
        <source>Reject the selected suggestions (or the next one in the queue)</source>
        <translation>선택한 제안(또는 대기열의 다음 제안)을 거절합니다</translation>
    </message>
    <message>
        <source>Accept All &amp;Above Threshold</source>
        <translation>임계값 이상 모두 수락(&amp;A)</translation>
    </message>
    <message>
        <source>Reject the Res&amp;t</source>
        <translation>나머지 거절(&amp;T)</translation>
    </message>
    <message>
        <source>Remove every suggestion still pending on this image, shown or not</source>
        <translation>이 이미지에서 검토 대기 중인 제안을 표시 여부와 관계없이 모두 지웁니다</translation>
    </message>
    <message>
        <source>Ne&amp;xt Suggestion</source>
        <translation>다음 제안(&amp;X)</translation>
    </message>
    <message>
        <source>Pre&amp;vious Suggestion</source>
        <translation>이전 제안(&amp;V)</translation>
    </message>
    <message>
        <source>Next Image With &amp;Pending Suggestions</source>
        <translation>검토할 제안이 있는 다음 이미지(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Train a Model on Done Images…</source>
        <translation>완료된 이미지로 모델 학습(&amp;T)…</translation>
    </message>
    <message>
        <source>Train an instance model for this project&apos;s classes on the images marked done</source>
        <translation>완료로 표시한 이미지로 이 프로젝트의 클래스를 위한 인스턴스 모델을 학습합니다</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>파일(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>편집(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>도구(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;AI</source>
        <translation>AI(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>보기(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>이동(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>도움말(&amp;H)</translation>
    </message>
    <message>
        <source>{0} ({1})</source>
        <comment>command (its shortcuts)</comment>
        <translation>{0} ({1})</translation>
    </message>
    <message>
        <source>&amp;Open Folder…</source>
        <translation>폴더 열기(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>저장(&amp;S)</translation>
    </message>
    <message>
        <source>Labels also save automatically</source>
        <translation>레이블은 자동으로도 저장됩니다</translation>
    </message>
    <message>
        <source>&amp;Import Labels…</source>
        <translation>레이블 가져오기(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Export Labels…</source>
        <translation>레이블 내보내기(&amp;E)…</translation>
    </message>
    <message>
        <source>Include &amp;Sub-folders</source>
        <translation>하위 폴더 포함(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>끝내기(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>실행 취소(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>다시 실행(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Delete Selected</source>
        <translation>선택 항목 삭제(&amp;D)</translation>
    </message>
    <message>
        <source>Mark Image &amp;Done</source>
        <translation>이미지 완료로 표시(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;History…</source>
        <translation>편집 기록(&amp;H)…</translation>
    </message>
    <message>
        <source>&amp;Copy Instances</source>
        <translation>인스턴스 복사(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Paste Instances</source>
        <translation>인스턴스 붙여넣기(&amp;P)</translation>
    </message>
    <message>
        <source>D&amp;uplicate Instances</source>
        <translation>인스턴스 복제(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Select / Edit</source>
        <translation>선택 / 편집(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Polygon</source>
        <translation>폴리곤(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Brush</source>
        <translation>브러시(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Eraser</source>
        <translation>지우개(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Fill Region</source>
        <translation>영역 채우기(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;GrabCut Box</source>
        <translation>GrabCut 상자(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Auto-Edit Box (Model)</source>
        <translation>모델 자동 편집 상자(&amp;A)</translation>
    </message>
    <message>
        <source>Draw a box: Mask R-CNN finds the object&apos;s mask (GrabCut without weights)</source>
        <translation>상자를 그리면 Mask R-CNN이 객체의 마스크를 찾습니다 (가중치가 없으면 GrabCut)</translation>
    </message>
    <message>
        <source>&amp;Interactive AI (SAM)</source>
        <translation>대화형 AI - SAM(&amp;I)</translation>
    </message>
    <message>
        <source>Click: include, right-click: exclude, drag: box; Tab: next mask, Enter: add, Esc: clear</source>
        <translation>클릭: 포함, 오른쪽 클릭: 제외, 드래그: 상자; Tab: 다음 마스크, Enter: 추가, Esc: 지우기</translation>
    </message>
    <message>
        <source>Do Not Paint Over &amp;Other Instances</source>
        <translation>다른 인스턴스 위에 칠하지 않기(&amp;O)</translation>
    </message>
    <message>
        <source>Mask → &amp;Polygon</source>
        <translation>마스크 → 폴리곤(&amp;P)</translation>
    </message>
    <message>
        <source>Polygon → &amp;Mask</source>
        <translation>폴리곤 → 마스크(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Merge Selected</source>
        <translation>선택 항목 병합(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Split Disconnected Parts</source>
        <translation>떨어진 부분 분리(&amp;S)</translation>
    </message>
    <message>
        <source>Subtract &amp;Overlap With Instances Above</source>
        <translation>위 인스턴스와 겹친 부분 빼기(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Fit to Window</source>
        <translation>창에 맞추기(&amp;F)</translation>
    </message>
    <message>
        <source>Actual &amp;Pixels (100 %)</source>
        <translation>실제 픽셀 100 %(&amp;P)</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>확대(&amp;I)</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>축소(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Hide All Masks</source>
        <translation>모든 마스크 숨기기(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Previous Image</source>
        <translation>이전 이미지(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Next Image</source>
        <translation>다음 이미지(&amp;N)</translation>
    </message>
    <message>
        <source>Next &amp;Unfinished Image</source>
        <translation>다음 미완료 이미지(&amp;U)</translation>
    </message>
    <message>
        <source>Next Un&amp;certain Image</source>
        <translation>다음 불확실한 이미지(&amp;C)</translation>
    </message>
    <message>
        <source>Go to the unfinished image the model was least sure about (after auto-fill)</source>
        <translation>모델이 가장 확신하지 못한 미완료 이미지로 이동합니다 (자동 채우기 후)</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts…</source>
        <translation>단축키(&amp;K)…</translation>
    </message>
    <message>
        <source>Open &amp;Sample Folder</source>
        <translation>샘플 폴더 열기(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;About MaskPilot</source>
        <translation>MaskPilot 정보(&amp;A)</translation>
    </message>
    <message>
        <source>Set Class {0}</source>
        <translation>클래스 {0} 지정</translation>
    </message>
</context>
<context>
    <name>BoxToMaskTool</name>
    <message>
        <source>Auto-Edit used GrabCut: no Mask R-CNN model is loaded.</source>
        <translation>자동 편집이 GrabCut을 사용했습니다: 불러온 Mask R-CNN 모델이 없습니다.</translation>
    </message>
</context>
<context>
    <name>Browse</name>
    <message>
        <source>This is the only unfinished image with an uncertainty.</source>
        <translation>불확실도가 있는 미완료 이미지는 이것뿐입니다.</translation>
    </message>
    <message>
        <source>Every auto-filled image is done.</source>
        <translation>자동 채우기한 이미지가 모두 완료되었습니다.</translation>
    </message>
    <message>
        <source>No image has an uncertainty yet: auto-fill images first.</source>
        <translation>아직 불확실도가 있는 이미지가 없습니다. 먼저 이미지를 자동 채우기하세요.</translation>
    </message>
</context>
<context>
    <name>BrushTool</name>
    <message>
        <source>The selected instance is locked.</source>
        <translation>선택한 인스턴스가 잠겨 있습니다.</translation>
    </message>
    <message>
        <source>Select the instance to erase from.</source>
        <translation>지울 인스턴스를 선택하세요.</translation>
    </message>
    <message>
        <source>Erase</source>
        <translation>지우기</translation>
    </message>
    <message>
        <source>Paint</source>
        <translation>칠하기</translation>
    </message>
</context>
<context>
    <name>Canvas</name>
    <message>
        <source> (suggestion)</source>
        <translation> (제안)</translation>
    </message>
</context>
<context>
    <name>ClassLists</name>
    <message>
        <source>cannot read class list {name}: {error}</source>
        <translation>클래스 목록 {name}을(를) 읽을 수 없습니다: {error}</translation>
    </message>
    <message>
        <source>class {name} is listed twice in {file}</source>
        <translation>클래스 {name}이(가) {file}에 두 번 들어 있습니다</translation>
    </message>
    <message>
        <source>{name} holds no class names</source>
        <translation>{name}에 클래스 이름이 없습니다</translation>
    </message>
    <message>
        <source>cannot read {name}: {error}</source>
        <translation>{name}을(를) 읽을 수 없습니다: {error}</translation>
    </message>
    <message>
        <source>{name} has no COCO &apos;categories&apos; list</source>
        <translation>{name}에 COCO &apos;categories&apos; 목록이 없습니다</translation>
    </message>
    <message>
        <source>invalid category in {name}: {error}</source>
        <translation>{name}에 잘못된 카테고리가 있습니다: {error}</translation>
    </message>
</context>
<context>
    <name>ClassPanel</name>
    <message>
        <source>Add</source>
        <translation>추가</translation>
    </message>
    <message>
        <source>Add a class</source>
        <translation>클래스를 추가합니다</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>이름 바꾸기</translation>
    </message>
    <message>
        <source>Rename the class (F2)</source>
        <translation>클래스 이름을 바꿉니다 (F2)</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>색상</translation>
    </message>
    <message>
        <source>Change the class colour</source>
        <translation>클래스 색상을 바꿉니다</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>삭제</translation>
    </message>
    <message>
        <source>Delete the class</source>
        <translation>클래스를 삭제합니다</translation>
    </message>
    <message>
        <source>Load…</source>
        <translation>불러오기…</translation>
    </message>
    <message>
        <source>Load a class list (text or COCO JSON)</source>
        <translation>클래스 목록을 불러옵니다 (텍스트 또는 COCO JSON)</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>저장…</translation>
    </message>
    <message>
        <source>Save the class list (text or COCO JSON)</source>
        <translation>클래스 목록을 저장합니다 (텍스트 또는 COCO JSON)</translation>
    </message>
    <message>
        <source>id {id} is used in this image but is not in the class list; rename to restore it</source>
        <translation>id {id}은(는) 이 이미지에서 쓰이지만 클래스 목록에 없습니다. 이름을 지정하면 복원됩니다</translation>
    </message>
    <message>
        <source>thing</source>
        <translation>사물</translation>
    </message>
    <message>
        <source>stuff</source>
        <translation>배경</translation>
    </message>
    <message>
        <source>id {id} · {kind}</source>
        <translation>id {id} · {kind}</translation>
    </message>
    <message>
        <source>{count} instances in this image, {suggested} of them suggestions</source>
        <translation>이 이미지의 인스턴스 {count}개, 그중 제안 {suggested}개</translation>
    </message>
    <message>
        <source>Add class</source>
        <translation>클래스 추가</translation>
    </message>
    <message>
        <source>Name of the new class:</source>
        <translation>새 클래스 이름:</translation>
    </message>
    <message>
        <source>There is already a class named &quot;{name}&quot;.</source>
        <translation>&quot;{name}&quot; 클래스가 이미 있습니다.</translation>
    </message>
    <message>
        <source>Could not save {name}: {error}</source>
        <translation>{name}을(를) 저장하지 못했습니다: {error}</translation>
    </message>
    <message>
        <source>Class colour</source>
        <translation>클래스 색상</translation>
    </message>
    <message>
        <source>Load class list</source>
        <translation>클래스 목록 불러오기</translation>
    </message>
    <message>
        <source>Save class list</source>
        <translation>클래스 목록 저장</translation>
    </message>
    <message>
        <source>{name} holds {count} classes. Replace the current class list, or add the new names to it? Classes are matched by name.</source>
        <translation>{name}에 클래스가 {count}개 있습니다. 현재 클래스 목록을 바꿀까요, 새 이름을 추가할까요? 클래스는 이름으로 맞춥니다.</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>바꾸기</translation>
    </message>
    <message>
        <source>Add to current</source>
        <translation>현재 목록에 추가</translation>
    </message>
    <message>
        <source>Delete class</source>
        <translation>클래스 삭제</translation>
    </message>
    <message>
        <source>{count} instances in this image use {name}. Delete the class anyway? The instances stay, shown by id until the class is named again.</source>
        <translation>이 이미지의 인스턴스 {count}개가 {name}을(를) 사용합니다. 그래도 클래스를 삭제할까요? 인스턴스는 남고, 클래스 이름을 다시 정할 때까지 id로 표시됩니다.</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>클래스</translation>
    </message>
    <message>
        <source>Class lists (*.txt *.json)</source>
        <translation>클래스 목록 (*.txt *.json)</translation>
    </message>
    <message>
        <source>Text, one name per line (*.txt)</source>
        <translation>텍스트, 한 줄에 이름 하나 (*.txt)</translation>
    </message>
    <message>
        <source>COCO categories (*.json)</source>
        <translation>COCO 카테고리 (*.json)</translation>
    </message>
</context>
<context>
    <name>Commands</name>
    <message>
        <source>Add instance</source>
        <translation>인스턴스 추가</translation>
    </message>
    <message>
        <source>Delete instance</source>
        <translation>인스턴스 삭제</translation>
    </message>
    <message>
        <source>Edit instance</source>
        <translation>인스턴스 편집</translation>
    </message>
    <message>
        <source>Edit shape</source>
        <translation>모양 편집</translation>
    </message>
    <message>
        <source>Reorder</source>
        <translation>순서 바꾸기</translation>
    </message>
    <message>
        <source>Paint</source>
        <translation>칠하기</translation>
    </message>
    <message>
        <source>Mark image new</source>
        <extracomment>One whole message per status: the status word alone would not fit every language&apos;s sentence.</extracomment>
        <translation>이미지를 새 이미지로 표시</translation>
    </message>
    <message>
        <source>Mark image in progress</source>
        <translation>이미지를 진행 중으로 표시</translation>
    </message>
    <message>
        <source>Mark image done</source>
        <translation>이미지를 완료로 표시</translation>
    </message>
    <message numerus="yes">
        <source>Accept %n suggestion(s)</source>
        <translation>
            <numerusform>제안 %n개 수락</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Reject %n suggestion(s)</source>
        <translation>
            <numerusform>제안 %n개 거절</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CrashHandler</name>
    <message>
        <source>Unexpected error</source>
        <extracomment>Set to 1 to log errors without opening the dialog (batch runs, tests). (traceback text, whether the save before it succeeded: True, False, or None = nothing to save)</extracomment>
        <translation>예기치 않은 오류</translation>
    </message>
    <message>
        <source>An unexpected error occurred, and your work could NOT be saved. Use File &gt; Save before closing.</source>
        <translation>예기치 않은 오류가 발생했으며 작업을 저장하지 못했습니다. 닫기 전에 파일 &gt; 저장을 사용하세요.</translation>
    </message>
    <message>
        <source>An unexpected error occurred. Your work has been saved; MaskPilot keeps running.</source>
        <translation>예기치 않은 오류가 발생했습니다. 작업은 저장되었으며 MaskPilot은 계속 실행됩니다.</translation>
    </message>
    <message>
        <source>Details were written to {path}.</source>
        <translation>자세한 내용은 {path}에 기록했습니다.</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>복사</translation>
    </message>
</context>
<context>
    <name>EditController</name>
    <message>
        <source>Set class</source>
        <translation>클래스 지정</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n instance(s)</source>
        <translation>
            <numerusform>인스턴스 %n개 삭제</numerusform>
        </translation>
    </message>
    <message>
        <source>Show/hide instance</source>
        <translation>인스턴스 보이기/숨기기</translation>
    </message>
    <message>
        <source>Lock/unlock instance</source>
        <translation>인스턴스 잠금/잠금 해제</translation>
    </message>
    <message numerus="yes">
        <source>Copied %n instance(s)</source>
        <translation>
            <numerusform>인스턴스 %n개를 복사했습니다</numerusform>
        </translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>붙여넣기</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>복제</translation>
    </message>
    <message>
        <source>Mask to polygon</source>
        <translation>마스크를 폴리곤으로</translation>
    </message>
    <message>
        <source>Simplification tolerance (pixels):</source>
        <translation>단순화 허용 오차 (픽셀):</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>COCO instances (JSON)</source>
        <translation>COCO 인스턴스 (JSON)</translation>
    </message>
    <message>
        <source>COCO panoptic (JSON + PNG)</source>
        <translation>COCO 파노프틱 (JSON + PNG)</translation>
    </message>
    <message>
        <source>PNG masks (Pascal VOC layout)</source>
        <translation>PNG 마스크 (Pascal VOC 구성)</translation>
    </message>
    <message>
        <source>labelme JSON</source>
        <translation>labelme JSON</translation>
    </message>
    <message>
        <source>YOLO segmentation (txt)</source>
        <translation>YOLO 분할 (txt)</translation>
    </message>
    <message>
        <source>Export labels</source>
        <translation>레이블 내보내기</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>내보내기</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>형식:</translation>
    </message>
    <message>
        <source>All %1 images</source>
        <translation>이미지 %1개 전체</translation>
    </message>
    <message>
        <source>Selected images (%1)</source>
        <translation>선택한 이미지 (%1개)</translation>
    </message>
    <message>
        <source>Images:</source>
        <translation>이미지:</translation>
    </message>
    <message>
        <source>Include suggestions not yet accepted</source>
        <translation>아직 수락하지 않은 제안 포함</translation>
    </message>
    <message>
        <source>Options:</source>
        <translation>옵션:</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <source>Save to:</source>
        <translation>저장 위치:</translation>
    </message>
    <message>
        <source>Polygons for vector, RLE for raster instances</source>
        <translation>벡터 인스턴스는 폴리곤, 래스터 인스턴스는 RLE</translation>
    </message>
    <message>
        <source>Polygons only (masks are traced)</source>
        <translation>폴리곤만 (마스크는 윤곽을 따서 변환)</translation>
    </message>
    <message>
        <source>RLE only</source>
        <translation>RLE만</translation>
    </message>
    <message>
        <source>Write model scores</source>
        <translation>모델 점수 기록</translation>
    </message>
    <message>
        <source>Segmentation:</source>
        <translation>분할:</translation>
    </message>
    <message>
        <source>Class PNGs (SegmentationClass)</source>
        <translation>클래스 PNG (SegmentationClass)</translation>
    </message>
    <message>
        <source>Instance-id PNGs, 16-bit (SegmentationObject)</source>
        <translation>인스턴스 id PNG, 16비트 (SegmentationObject)</translation>
    </message>
    <message>
        <source>One binary PNG per instance</source>
        <translation>인스턴스마다 이진 PNG 하나</translation>
    </message>
    <message>
        <source>Mask shapes (exact)</source>
        <translation>마스크 모양 (정확)</translation>
    </message>
    <message>
        <source>Traced polygons</source>
        <translation>윤곽을 딴 폴리곤</translation>
    </message>
    <message>
        <source>Raster masks as:</source>
        <translation>래스터 마스크 저장 방식:</translation>
    </message>
    <message>
        <source>Link or copy the images into images/</source>
        <translation>이미지를 images/에 링크하거나 복사</translation>
    </message>
    <message>
        <source>Export to</source>
        <translation>내보낼 파일</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON 파일 (*.json)</translation>
    </message>
    <message>
        <source>Export into folder</source>
        <translation>내보낼 폴더</translation>
    </message>
    <message>
        <source>Choose where to save the export.</source>
        <translation>내보낸 결과를 저장할 위치를 선택하세요.</translation>
    </message>
    <message>
        <source>%1 is a folder; this format writes a JSON file.</source>
        <translation>%1은(는) 폴더입니다. 이 형식은 JSON 파일로 씁니다.</translation>
    </message>
    <message>
        <source>%1 is a file; this format writes into a folder.</source>
        <translation>%1은(는) 파일입니다. 이 형식은 폴더 안에 씁니다.</translation>
    </message>
    <message>
        <source>Cancelled. %1 of %2 image(s) were done; the export is incomplete.</source>
        <translation>취소했습니다. 이미지 %2개 중 %1개를 처리했으며, 내보내기는 완료되지 않았습니다.</translation>
    </message>
    <message>
        <source>Exported %1 instance(s) from %2 image(s) to %3.</source>
        <translation>이미지 %2개의 인스턴스 %1개를 %3(으)로 내보냈습니다.</translation>
    </message>
</context>
<context>
    <name>FileListPanel</name>
    <message>
        <source>Folder order</source>
        <translation>폴더 순서</translation>
    </message>
    <message>
        <source>Most uncertain first</source>
        <translation>불확실한 순서</translation>
    </message>
    <message>
        <source>new</source>
        <translation>새 이미지</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>진행 중</translation>
    </message>
    <message>
        <source>done</source>
        <translation>완료</translation>
    </message>
    <message>
        <source>suggestions to review</source>
        <translation>검토할 제안 있음</translation>
    </message>
    <message>
        <source>cannot be opened</source>
        <translation>열 수 없음</translation>
    </message>
    <message>
        <source>uncertainty {u:.2f}</source>
        <translation>불확실도 {u:.2f}</translation>
    </message>
    <message>
        <source>Filter by name…</source>
        <translation>이름으로 거르기…</translation>
    </message>
    <message>
        <source>All</source>
        <translation>전체</translation>
    </message>
    <message>
        <source>Sort: folder order, or the images the model was least sure about first</source>
        <translation>정렬: 폴더 순서, 또는 모델이 가장 확신하지 못한 이미지부터</translation>
    </message>
    <message>
        <source>{n} images · {done} done · {prog} in progress · {pend} to review · {err} unreadable</source>
        <translation>이미지 {n}개 · 완료 {done} · 진행 중 {prog} · 검토 {pend} · 읽을 수 없음 {err}</translation>
    </message>
</context>
<context>
    <name>FillTool</name>
    <message>
        <source>Select a single instance to fill into.</source>
        <translation>채울 인스턴스를 하나만 선택하세요.</translation>
    </message>
    <message>
        <source>The selected instance is locked.</source>
        <translation>선택한 인스턴스가 잠겨 있습니다.</translation>
    </message>
    <message>
        <source>That region is already part of the instance.</source>
        <translation>그 영역은 이미 인스턴스에 속합니다.</translation>
    </message>
    <message>
        <source>Convert to mask</source>
        <translation>마스크로 변환</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>채우기</translation>
    </message>
    <message>
        <source>Choose a class for the new instance first.</source>
        <translation>먼저 새 인스턴스의 클래스를 선택하세요.</translation>
    </message>
    <message>
        <source>Fill new instance</source>
        <translation>새 인스턴스 채우기</translation>
    </message>
</context>
<context>
    <name>Folders</name>
    <message>
        <source>Open &amp;Recent</source>
        <translation>최근 항목 열기(&amp;R)</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(없음)</translation>
    </message>
    <message>
        <source>Open image folder</source>
        <translation>이미지 폴더 열기</translation>
    </message>
    <message>
        <source>Read-only folder</source>
        <translation>읽기 전용 폴더</translation>
    </message>
    <message>
        <source>{folder} is read-only, so labels cannot be saved next to the images.
Choose a folder for MaskPilot&apos;s labels.</source>
        <translation>{folder}은(는) 읽기 전용이라 이미지 옆에 레이블을 저장할 수 없습니다.
MaskPilot 레이블을 저장할 폴더를 선택하세요.</translation>
    </message>
    <message>
        <source>Folder for labels</source>
        <translation>레이블 폴더</translation>
    </message>
</context>
<context>
    <name>GrabCutTool</name>
    <message>
        <source>Choose a class for the new instance first.</source>
        <extracomment>Boxes narrower or shorter than this (image pixels) are treated as a stray click.</extracomment>
        <translation>먼저 새 인스턴스의 클래스를 선택하세요.</translation>
    </message>
    <message>
        <source>GrabCut: segmenting the box…</source>
        <translation>GrabCut: 상자를 분할하는 중…</translation>
    </message>
    <message>
        <source>GrabCut finished after the image changed; its result was dropped.</source>
        <translation>이미지가 바뀐 뒤 GrabCut이 끝나 결과를 버렸습니다.</translation>
    </message>
    <message>
        <source>GrabCut found no object in the box.</source>
        <translation>GrabCut이 상자 안에서 객체를 찾지 못했습니다.</translation>
    </message>
    <message>
        <source>GrabCut</source>
        <translation>GrabCut</translation>
    </message>
</context>
<context>
    <name>Help</name>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>단축키</translation>
    </message>
    <message>
        <source>Menu</source>
        <translation>메뉴</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>명령</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>키</translation>
    </message>
</context>
<context>
    <name>ImageFiles</name>
    <message>
        <source>no permission to read {name}</source>
        <extracomment>Above this many pixels we refuse to decode (OpenCV&apos;s own default limit is 2^30). Display pyramid: halve until the longest side is at most this. Images up to this many pixels also keep a full-size 32-bit copy for drawing (at most 16 MB): cheaper than converting the visible part on every zoom. Bigger ones convert only what is seen. Pyramid levels bigger than this are not kept (see build_pyramid). A preview is decoded only when it can be this long (long side) at 1/2 the size or less.</extracomment>
        <translation>{name}을(를) 읽을 권한이 없습니다</translation>
    </message>
    <message>
        <source>cannot read {name}: {error}</source>
        <translation>{name}을(를) 읽을 수 없습니다: {error}</translation>
    </message>
    <message>
        <source>{name} is empty (0 bytes)</source>
        <translation>{name}은(는) 빈 파일입니다(0바이트)</translation>
    </message>
    <message>
        <source>{name} is not an image file this app can read</source>
        <translation>{name}은(는) 이 앱이 읽을 수 있는 이미지 파일이 아닙니다</translation>
    </message>
    <message>
        <source>{name} is {width}×{height} pixels: too large to open</source>
        <translation>{name}은(는) {width}×{height} 픽셀로, 열기에는 너무 큽니다</translation>
    </message>
    <message>
        <source>{name} could not be decoded ({error})</source>
        <translation>{name}을(를) 디코딩할 수 없었습니다({error})</translation>
    </message>
    <message>
        <source>{name} is corrupt or truncated and could not be decoded</source>
        <translation>{name}이(가) 손상되었거나 잘려 있어 디코딩할 수 없었습니다</translation>
    </message>
</context>
<context>
    <name>ImageLoader</name>
    <message>
        <source>{name} is too large to decode with the memory available</source>
        <extracomment>Images kept at display size: the current one, prefetched neighbours and a few recent ones. Both limits hold: a long walk through small images must not fill the bytes budget with hundreds of them (memory would keep growing for the first thousand images of a session). The full decode of the current image starts once it has been current this long: stepping faster than that (holding the key down) only ever decodes previews.</extracomment>
        <translation>{name}은(는) 사용 가능한 메모리로 디코딩하기에 너무 큽니다</translation>
    </message>
    <message>
        <source>{name} could not be opened: {error}</source>
        <translation>{name}을(를) 열 수 없었습니다: {error}</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>COCO instances (JSON)</source>
        <translation>COCO 인스턴스 (JSON)</translation>
    </message>
    <message>
        <source>COCO panoptic (JSON + PNG folder)</source>
        <translation>COCO 파노프틱 (JSON + PNG 폴더)</translation>
    </message>
    <message>
        <source>PNG masks (Pascal VOC layout)</source>
        <translation>PNG 마스크 (Pascal VOC 구성)</translation>
    </message>
    <message>
        <source>labelme JSON</source>
        <translation>labelme JSON</translation>
    </message>
    <message>
        <source>Import labels</source>
        <translation>레이블 가져오기</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>가져오기</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>형식:</translation>
    </message>
    <message>
        <source>JSON files next to the images</source>
        <translation>이미지 옆의 JSON 파일</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>가져올 위치:</translation>
    </message>
    <message>
        <source>All %1 images</source>
        <translation>이미지 %1개 전체</translation>
    </message>
    <message>
        <source>Selected images only (%1)</source>
        <translation>선택한 이미지만 (%1개)</translation>
    </message>
    <message>
        <source>Into:</source>
        <translation>대상:</translation>
    </message>
    <message>
        <source>Import as suggestions to review</source>
        <translation>검토할 제안으로 가져오기</translation>
    </message>
    <message>
        <source>Import from</source>
        <translation>가져올 파일</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON 파일 (*.json)</translation>
    </message>
    <message>
        <source>Import from folder</source>
        <translation>가져올 폴더</translation>
    </message>
    <message>
        <source>Choose an existing file or folder to import from.</source>
        <translation>가져올 기존 파일이나 폴더를 선택하세요.</translation>
    </message>
    <message>
        <source>This format needs a JSON file.</source>
        <translation>이 형식에는 JSON 파일이 필요합니다.</translation>
    </message>
    <message>
        <source>This format needs a folder.</source>
        <translation>이 형식에는 폴더가 필요합니다.</translation>
    </message>
    <message>
        <source>Imported %1 instance(s) into %2 image(s).</source>
        <translation>이미지 %2개에 인스턴스 %1개를 가져왔습니다.</translation>
    </message>
    <message>
        <source>New classes: %1.</source>
        <translation>새 클래스: %1.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>취소했습니다.</translation>
    </message>
    <message>
        <source>Not in this folder: %1</source>
        <translation>이 폴더에 없음: %1</translation>
    </message>
</context>
<context>
    <name>InferenceWorker</name>
    <message>
        <source>The model failed: {error}</source>
        <translation>모델이 실패했습니다: {error}</translation>
    </message>
</context>
<context>
    <name>InteractiveController</name>
    <message>
        <source>Interactive AI needs the weights of {model}: choose the file in the AI panel.</source>
        <translation>대화형 AI에는 {model}의 가중치가 필요합니다. AI 패널에서 파일을 선택하세요.</translation>
    </message>
    <message>
        <source>Encoding {name}…</source>
        <translation>{name} 인코딩 중…</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>준비됨</translation>
    </message>
    <message>
        <source>Interactive AI could not encode {name}: {error}</source>
        <translation>대화형 AI가 {name}을(를) 인코딩하지 못했습니다: {error}</translation>
    </message>
    <message>
        <source>Encoding the image; the mask follows…</source>
        <translation>이미지를 인코딩하는 중입니다. 마스크가 곧 나옵니다…</translation>
    </message>
    <message>
        <source>Auto-Edit: finding the object in the box…</source>
        <translation>자동 편집: 상자 안의 객체를 찾는 중…</translation>
    </message>
    <message>
        <source>Segment everything: prompting a grid of points…</source>
        <translation>전체 분할: 격자 점으로 프롬프트하는 중…</translation>
    </message>
    <message>
        <source>Segment everything ({n} suggestions)</source>
        <translation>전체 분할 (제안 {n}개)</translation>
    </message>
    <message>
        <source>Segment everything: {n} suggestions to review.</source>
        <translation>전체 분할: 검토할 제안 {n}개.</translation>
    </message>
    <message>
        <source>Auto-Edit found no object in the box.</source>
        <translation>자동 편집이 상자 안에서 객체를 찾지 못했습니다.</translation>
    </message>
    <message>
        <source>Auto-Edit box</source>
        <translation>자동 편집 상자</translation>
    </message>
</context>
<context>
    <name>InteractiveTool</name>
    <message>
        <source>Interactive AI needs an interactive model (SAM): choose one in the AI panel.</source>
        <extracomment>A press and release further apart than this (screen pixels) is a box, not a click.</extracomment>
        <translation>대화형 AI에는 대화형 모델(SAM)이 필요합니다. AI 패널에서 선택하세요.</translation>
    </message>
    <message>
        <source>No interactive model is ready: choose SAM weights in the AI panel.</source>
        <translation>준비된 대화형 모델이 없습니다. AI 패널에서 SAM 가중치를 선택하세요.</translation>
    </message>
    <message>
        <source>No mask to add yet.</source>
        <translation>아직 추가할 마스크가 없습니다.</translation>
    </message>
    <message>
        <source>Refine with Interactive AI</source>
        <translation>대화형 AI로 다듬기</translation>
    </message>
    <message>
        <source>Choose a class for the new instance first.</source>
        <translation>먼저 새 인스턴스의 클래스를 선택하세요.</translation>
    </message>
    <message>
        <source>Interactive AI mask</source>
        <translation>대화형 AI 마스크</translation>
    </message>
</context>
<context>
    <name>LabelExport</name>
    <message>
        <source>COCO polygons</source>
        <translation>COCO 폴리곤</translation>
    </message>
    <message>
        <source>RLE segmentation keeps it exact</source>
        <translation>RLE 분할로 내보내면 정확히 유지됩니다</translation>
    </message>
    <message>
        <source>lies outside the image; skipped</source>
        <translation>이미지 밖에 있어 건너뛰었습니다</translation>
    </message>
    <message>
        <source>class id {id} is not in the class list</source>
        <translation>클래스 id {id}이(가) 클래스 목록에 없습니다</translation>
    </message>
    <message>
        <source>cannot write {path}: {error}</source>
        <translation>{path}에 쓸 수 없습니다: {error}</translation>
    </message>
    <message>
        <source>the mask written as {what} comes back with IoU {iou:.3f} (below {limit}); {advice}</source>
        <translation>{what}(으)로 쓴 마스크를 다시 읽으면 IoU가 {iou:.3f}입니다({limit} 미만). {advice}</translation>
    </message>
    <message>
        <source>could not encode a mask patch</source>
        <extracomment>The version stamped on files with polygon, rectangle and circle shapes only. The first labelme release whose converters read shape_type &quot;mask&quot; (see the module docstring).</extracomment>
        <translation>마스크 조각을 인코딩할 수 없었습니다</translation>
    </message>
    <message>
        <source>labelme polygons</source>
        <translation>labelme 폴리곤</translation>
    </message>
    <message>
        <source>mask shapes keep it exact</source>
        <translation>mask 도형으로 내보내면 정확히 유지됩니다</translation>
    </message>
    <message>
        <source>cannot write labelme files into {folder}: {error}</source>
        <translation>{folder}에 labelme 파일을 쓸 수 없습니다: {error}</translation>
    </message>
    <message>
        <source>completely covered by instances above it; left out</source>
        <translation>위에 있는 인스턴스에 완전히 가려져 제외했습니다</translation>
    </message>
    <message>
        <source>could not encode the panoptic PNG of {image}</source>
        <translation>{image}의 파노프틱 PNG를 인코딩할 수 없었습니다</translation>
    </message>
    <message>
        <source>cannot write the panoptic export: {error}</source>
        <translation>파노프틱 내보내기를 쓸 수 없습니다: {error}</translation>
    </message>
    <message>
        <source>{n} classes do not fit an 8-bit class PNG (at most 254)</source>
        <translation>클래스 {n}개는 8비트 클래스 PNG에 담을 수 없습니다(최대 254개)</translation>
    </message>
    <message>
        <source>class id {id} is not in the class list; left out</source>
        <translation>클래스 id {id}이(가) 클래스 목록에 없어 제외했습니다</translation>
    </message>
    <message>
        <source>cannot write PNG masks into {folder}: {error}</source>
        <translation>{folder}에 PNG 마스크를 쓸 수 없습니다: {error}</translation>
    </message>
    <message>
        <source>could not encode {name}</source>
        <translation>{name}을(를) 인코딩할 수 없었습니다</translation>
    </message>
    <message>
        <source>a YOLO polygon</source>
        <translation>YOLO 폴리곤</translation>
    </message>
    <message>
        <source>YOLO has one polygon per instance, so its separate parts are joined by bridges that Ultralytics fills</source>
        <translation>YOLO는 인스턴스마다 폴리곤이 하나뿐이라 떨어진 부분들을 다리로 잇는데, Ultralytics가 그 다리도 채웁니다</translation>
    </message>
    <message>
        <source>no polygon with 3 points; left out</source>
        <translation>꼭짓점이 3개인 폴리곤이 없어 제외했습니다</translation>
    </message>
    <message>
        <source>cannot write the YOLO export into {folder}: {error}</source>
        <translation>{folder}에 YOLO 내보내기를 쓸 수 없습니다: {error}</translation>
    </message>
</context>
<context>
    <name>LabelFile</name>
    <message>
        <source>instance has neither &apos;mask&apos; nor &apos;polygon&apos;</source>
        <extracomment>Key of an `ai_runs` entry holding the run&apos;s image uncertainty, a float in [0, 1) (see app.ai.domain.uncertainty). Runs recorded before it existed lack it: uncertainty unknown.</extracomment>
        <translation>인스턴스에 &apos;mask&apos;도 &apos;polygon&apos;도 없습니다</translation>
    </message>
    <message>
        <source>a polygon ring needs at least 3 finite (x, y) points</source>
        <translation>폴리곤 고리에는 유한한 (x, y) 점이 3개 이상 필요합니다</translation>
    </message>
    <message>
        <source>&apos;ai_runs&apos; must map model names to objects</source>
        <translation>&apos;ai_runs&apos;는 모델 이름을 객체에 대응시켜야 합니다</translation>
    </message>
    <message>
        <source>&apos;image.coco&apos; must be an object</source>
        <translation>&apos;image.coco&apos;는 객체여야 합니다</translation>
    </message>
    <message>
        <source>not a MaskPilot label file (no &apos;instances&apos;)</source>
        <translation>MaskPilot 레이블 파일이 아닙니다(&apos;instances&apos; 없음)</translation>
    </message>
    <message>
        <source>written by a newer MaskPilot (format {version})</source>
        <translation>더 새로운 MaskPilot이 쓴 파일입니다(형식 {version})</translation>
    </message>
</context>
<context>
    <name>LabelImport</name>
    <message>
        <source>polygon part {k} is not a list of numbers; dropped</source>
        <translation>폴리곤 부분 {k}이(가) 숫자 목록이 아니어서 버렸습니다</translation>
    </message>
    <message>
        <source>polygon part {k} has an odd or nested coordinate list; dropped</source>
        <translation>폴리곤 부분 {k}의 좌표 목록이 홀수 개이거나 중첩되어 있어 버렸습니다</translation>
    </message>
    <message>
        <source>polygon part {k} has {points} point(s), fewer than 3; dropped</source>
        <translation>폴리곤 부분 {k}의 점이 {points}개로 3개보다 적어 버렸습니다</translation>
    </message>
    <message>
        <source>polygon part {k} has non-finite coordinates; dropped</source>
        <translation>폴리곤 부분 {k}에 유한하지 않은 좌표가 있어 버렸습니다</translation>
    </message>
    <message>
        <source>coordinates outside the {width}x{height} image were clamped to it</source>
        <translation>{width}x{height} 이미지 밖의 좌표를 이미지 안으로 맞췄습니다</translation>
    </message>
    <message>
        <source>no segmentation (bounding box only); skipped</source>
        <translation>분할 정보가 없어(경계 상자만 있음) 건너뛰었습니다</translation>
    </message>
    <message>
        <source>empty mask; skipped</source>
        <translation>빈 마스크라 건너뛰었습니다</translation>
    </message>
    <message>
        <source>segmentation is neither a polygon list nor an RLE dict; skipped</source>
        <translation>분할 정보가 폴리곤 목록도 RLE 사전도 아니어서 건너뛰었습니다</translation>
    </message>
    <message>
        <source>{name} is not a COCO instances file (no &apos;images&apos;/&apos;annotations&apos; lists)</source>
        <translation>{name}은(는) COCO 인스턴스 파일이 아닙니다(&apos;images&apos;/&apos;annotations&apos; 목록 없음)</translation>
    </message>
    <message>
        <source>invalid category ({error}); skipped</source>
        <translation>잘못된 카테고리라 건너뛰었습니다({error})</translation>
    </message>
    <message>
        <source>image record without id/file_name; skipped</source>
        <translation>id/file_name이 없는 이미지 레코드라 건너뛰었습니다</translation>
    </message>
    <message>
        <source>not an object; skipped</source>
        <translation>객체가 아니어서 건너뛰었습니다</translation>
    </message>
    <message>
        <source>no valid image_id; skipped</source>
        <translation>올바른 image_id가 없어 건너뛰었습니다</translation>
    </message>
    <message>
        <source>annotations refer to an image missing from &apos;images&apos;; skipped</source>
        <translation>어노테이션이 &apos;images&apos;에 없는 이미지를 가리켜 건너뛰었습니다</translation>
    </message>
    <message>
        <source>the file says {w}x{h} but the image is {width}x{height}; image skipped</source>
        <translation>파일에는 {w}x{h}로 되어 있지만 이미지는 {width}x{height}입니다. 이미지를 건너뛰었습니다</translation>
    </message>
    <message>
        <source>no valid category_id; skipped</source>
        <translation>올바른 category_id가 없어 건너뛰었습니다</translation>
    </message>
    <message>
        <source>unknown category id {id} (not declared in &apos;categories&apos;); skipped</source>
        <translation>알 수 없는 카테고리 id {id}(&apos;categories&apos;에 선언되지 않음)라 건너뛰었습니다</translation>
    </message>
    <message>
        <source>score is not a number; ignored</source>
        <translation>점수가 숫자가 아니어서 무시했습니다</translation>
    </message>
    <message>
        <source>cannot read {name}: {error}</source>
        <extracomment>An imported instance whose mask has at least this IoU with an instance of the same class already in the image is that instance (our own export read back, or the same file twice).</extracomment>
        <translation>{name}을(를) 읽을 수 없습니다: {error}</translation>
    </message>
    <message>
        <source>{name} is not valid JSON: {error}</source>
        <translation>{name}은(는) 올바른 JSON이 아닙니다: {error}</translation>
    </message>
    <message>
        <source>{name} is not a labelme file (no &apos;shapes&apos; list)</source>
        <translation>{name}은(는) labelme 파일이 아닙니다(&apos;shapes&apos; 목록 없음)</translation>
    </message>
    <message>
        <source>written for a {w}x{h} image but {image} is {width}x{height}; skipped</source>
        <translation>{w}x{h} 이미지용으로 작성되었지만 {image}은(는) {width}x{height}라 건너뛰었습니다</translation>
    </message>
    <message>
        <source>names {named}; imported for {image}, the image it lies next to</source>
        <translation>{named}을(를) 가리키지만, 파일 옆에 있는 이미지 {image}(으)로 가져왔습니다</translation>
    </message>
    <message>
        <source>no points</source>
        <extracomment>Exact point counts per shape type (labelme _shape.py); polygons need at least 3.</extracomment>
        <translation>점이 없습니다</translation>
    </message>
    <message>
        <source>points must be [x, y] number pairs</source>
        <translation>점은 [x, y] 숫자 쌍이어야 합니다</translation>
    </message>
    <message>
        <source>points are not finite</source>
        <translation>점 좌표가 유한하지 않습니다</translation>
    </message>
    <message>
        <source>mask shape without a &apos;mask&apos; PNG</source>
        <translation>&apos;mask&apos; PNG가 없는 mask 도형입니다</translation>
    </message>
    <message>
        <source>mask is not valid base64</source>
        <translation>마스크가 올바른 base64가 아닙니다</translation>
    </message>
    <message>
        <source>mask is not a PNG image</source>
        <translation>마스크가 PNG 이미지가 아닙니다</translation>
    </message>
    <message>
        <source>a {kind} shape has no area; skipped</source>
        <translation>{kind} 도형은 넓이가 없어 건너뛰었습니다</translation>
    </message>
    <message>
        <source>unsupported shape_type {kind}; skipped</source>
        <translation>지원하지 않는 shape_type {kind}(이)라 건너뛰었습니다</translation>
    </message>
    <message>
        <source>a {kind} shape must not carry a mask; skipped</source>
        <translation>{kind} 도형에는 마스크가 있으면 안 되어 건너뛰었습니다</translation>
    </message>
    <message>
        <source>a {kind} needs exactly {need} points, got {got}; skipped</source>
        <translation>{kind}에는 점이 정확히 {need}개 필요한데 {got}개라 건너뛰었습니다</translation>
    </message>
    <message>
        <source>a polygon needs at least 3 points, got {got}; skipped</source>
        <translation>폴리곤에는 점이 3개 이상 필요한데 {got}개라 건너뛰었습니다</translation>
    </message>
    <message>
        <source>a circle with radius 0; skipped</source>
        <translation>반지름이 0인 원이라 건너뛰었습니다</translation>
    </message>
    <message>
        <source>no label; skipped</source>
        <translation>레이블이 없어 건너뛰었습니다</translation>
    </message>
    <message>
        <source>points outside the {width}x{height} image were clamped to it</source>
        <translation>{width}x{height} 이미지 밖의 점을 이미지 안으로 맞췄습니다</translation>
    </message>
    <message>
        <source>{name} is not an 8-bit RGB PNG</source>
        <translation>{name}은(는) 8비트 RGB PNG가 아닙니다</translation>
    </message>
    <message>
        <source>{name} is not a COCO panoptic file (no &apos;images&apos;/&apos;annotations&apos; lists)</source>
        <translation>{name}은(는) COCO 파노프틱 파일이 아닙니다(&apos;images&apos;/&apos;annotations&apos; 목록 없음)</translation>
    </message>
    <message>
        <source>image_id not listed in &apos;images&apos;; skipped</source>
        <translation>image_id가 &apos;images&apos;에 없어 건너뛰었습니다</translation>
    </message>
    <message>
        <source>PNG name {name} is outside the PNG folder; skipped</source>
        <translation>PNG 이름 {name}이(가) PNG 폴더 밖을 가리켜 건너뛰었습니다</translation>
    </message>
    <message>
        <source>PNG is {w}x{h} but the image is {width}x{height}; skipped</source>
        <translation>PNG는 {w}x{h}인데 이미지는 {width}x{height}라 건너뛰었습니다</translation>
    </message>
    <message>
        <source>the PNG holds segment ids that segments_info does not list; those pixels were left out</source>
        <translation>PNG에 segments_info에 없는 세그먼트 id가 있어 그 픽셀은 제외했습니다</translation>
    </message>
    <message>
        <source>segment without id/category_id; skipped</source>
        <translation>id/category_id가 없는 세그먼트라 건너뛰었습니다</translation>
    </message>
    <message>
        <source>unknown category id {id}; skipped</source>
        <translation>알 수 없는 카테고리 id {id}(이)라 건너뛰었습니다</translation>
    </message>
    <message>
        <source>id not present in the PNG; skipped</source>
        <translation>PNG에 없는 id라 건너뛰었습니다</translation>
    </message>
    <message>
        <source>area in the JSON is {json_area}, the PNG has {area} pixels; the PNG wins</source>
        <translation>JSON의 면적은 {json_area}인데 PNG에는 {area} 픽셀이 있습니다. PNG를 따랐습니다</translation>
    </message>
    <message>
        <source>palette PNGs need Pillow (pip install Pillow)</source>
        <translation>팔레트 PNG를 읽으려면 Pillow가 필요합니다(pip install Pillow)</translation>
    </message>
    <message>
        <source>{name} has colours outside the VOC colormap</source>
        <translation>{name}에 VOC 색상표에 없는 색이 있습니다</translation>
    </message>
    <message>
        <source>{name}: unsupported PNG mode {mode}</source>
        <translation>{name}: 지원하지 않는 PNG 모드 {mode}입니다</translation>
    </message>
    <message>
        <source>no {file}: pixel value i is taken as the project&apos;s i-th class</source>
        <translation>{file}이(가) 없어 픽셀 값 i를 프로젝트의 i번째 클래스로 간주합니다</translation>
    </message>
    <message>
        <source>{folder} has no {name} folder</source>
        <translation>{folder}에 {name} 폴더가 없습니다</translation>
    </message>
    <message>
        <source>class value {value} is not in the class list; skipped</source>
        <translation>클래스 값 {value}이(가) 클래스 목록에 없어 건너뛰었습니다</translation>
    </message>
    <message>
        <source>lies on background/void in the class PNG; skipped</source>
        <translation>클래스 PNG에서 배경/void 위에 있어 건너뛰었습니다</translation>
    </message>
    <message>
        <source>image size unknown ({reason}); skipped</source>
        <extracomment>labelme&apos;s name for &quot;do not care&quot; regions: COCO crowd regions, panoptic and PNG void, no YOLO line.</extracomment>
        <translation>이미지 크기를 알 수 없어 건너뛰었습니다({reason})</translation>
    </message>
    <message>
        <source>{image} already has image id {kept} from an earlier import; {kept} is kept</source>
        <translation>{image}에는 이전 가져오기에서 받은 이미지 id {kept}이(가) 이미 있어 {kept}을(를) 유지합니다</translation>
    </message>
    <message>
        <source>{n} images are named {name}</source>
        <translation>이름이 {name}인 이미지가 {n}개 있습니다</translation>
    </message>
    <message>
        <source>no such image in the folder</source>
        <translation>폴더에 그런 이미지가 없습니다</translation>
    </message>
    <message>
        <source>this looks like COCO instances (one &apos;segmentation&apos; per annotation): use --format coco</source>
        <extracomment>What to tell a user who picked the wrong format for a file of each kind.</extracomment>
        <translation>COCO 인스턴스 파일로 보입니다(어노테이션마다 &apos;segmentation&apos; 하나): --format coco를 쓰세요</translation>
    </message>
    <message>
        <source>this looks like COCO panoptic (&apos;segments_info&apos; per image, with PNGs): use --format panoptic</source>
        <translation>COCO 파노프틱 파일로 보입니다(이미지마다 &apos;segments_info&apos;와 PNG): --format panoptic을 쓰세요</translation>
    </message>
    <message>
        <source>this looks like a labelme file (&apos;shapes&apos;): use --format labelme with --from its folder</source>
        <translation>labelme 파일로 보입니다(&apos;shapes&apos;): --format labelme와 --from 폴더를 쓰세요</translation>
    </message>
    <message>
        <source>this looks like a COCO results file (model detections without an &apos;images&apos; list), which names no image files and cannot be imported</source>
        <translation>COCO 결과 파일로 보입니다(&apos;images&apos; 목록 없는 모델 검출 결과). 이미지 파일 이름이 없어 가져올 수 없습니다</translation>
    </message>
    <message>
        <source>this holds only a class list (&apos;categories&apos;); load it as a class list instead</source>
        <translation>클래스 목록(&apos;categories&apos;)만 들어 있습니다. 클래스 목록으로 불러오세요</translation>
    </message>
    <message>
        <source>{name} is not a {what} file: {hint}</source>
        <translation>{name}은(는) {what} 파일이 아닙니다: {hint}</translation>
    </message>
</context>
<context>
    <name>LabelRecords</name>
    <message>
        <source>instance {id}</source>
        <extracomment>Douglas-Peucker tolerance (px) of traced exports: about 3x fewer vertices than exact. Each connected part of a traced export keeps at least this IoU (pycocotools), so the simplification alone never triggers the warning below. An instance whose written polygons give less than this under the format&apos;s reader is reported.</extracomment>
        <translation>인스턴스 {id}</translation>
    </message>
    <message>
        <source>category {category}</source>
        <translation>카테고리 {category}</translation>
    </message>
    <message>
        <source>image {image}</source>
        <translation>이미지 {image}</translation>
    </message>
    <message>
        <source>image {id} ({name})</source>
        <translation>이미지 {id}({name})</translation>
    </message>
    <message>
        <source>annotation</source>
        <translation>어노테이션</translation>
    </message>
    <message>
        <source>annotation {id}</source>
        <translation>어노테이션 {id}</translation>
    </message>
    <message>
        <source>shape {k}</source>
        <translation>도형 {k}</translation>
    </message>
    <message>
        <source>shape {k} ({label})</source>
        <translation>도형 {k}({label})</translation>
    </message>
    <message>
        <source>annotation of image {id}</source>
        <translation>이미지 {id}의 어노테이션</translation>
    </message>
    <message>
        <source>segment {segment}</source>
        <translation>세그먼트 {segment}</translation>
    </message>
    <message>
        <source>class value {value}</source>
        <translation>클래스 값 {value}</translation>
    </message>
    <message>
        <source>object {value}</source>
        <translation>객체 {value}</translation>
    </message>
</context>
<context>
    <name>LabelTransfer</name>
    <message>
        <source>labelme files found</source>
        <translation>labelme 파일 발견</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) in this folder have labelme JSON files. Import them?</source>
        <translation>
            <numerusform>이 폴더의 이미지 %n개에 labelme JSON 파일이 있습니다. 가져올까요?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>&amp;Language</source>
        <translation>언어(&amp;L)</translation>
    </message>
    <message>
        <source>System Language</source>
        <translation>시스템 언어</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>언어</translation>
    </message>
    <message>
        <source>MaskPilot will start in {0} next time.</source>
        <translation>다음에 시작할 때 MaskPilot이 {0}(으)로 표시됩니다.</translation>
    </message>
</context>
<context>
    <name>LayerPanel</name>
    <message>
        <source>Class</source>
        <extracomment>(instance id, field name, new value): the main window turns it into an undo command. (instance id, new z index): a row was dragged to a new place.</extracomment>
        <translation>클래스</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>출처</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>점수</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>표시</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>잠금</translation>
    </message>
    <message>
        <source>mask</source>
        <translation>마스크</translation>
    </message>
    <message>
        <source>polygon</source>
        <translation>폴리곤</translation>
    </message>
    <message>
        <source>manual</source>
        <translation>수동</translation>
    </message>
    <message>
        <source> (suggested)</source>
        <translation> (제안)</translation>
    </message>
    <message>
        <source>Mask opacity</source>
        <extracomment>fill opacity 0..1, fill on, outline on the Accept / Reject buttons were pressed (they act on the selected suggestions)</extracomment>
        <translation>마스크 불투명도</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>채우기</translation>
    </message>
    <message>
        <source>Outline</source>
        <translation>윤곽선</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>불투명도</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>수락</translation>
    </message>
    <message>
        <source>Accept the selected suggestions (Y)</source>
        <translation>선택한 제안을 수락합니다 (Y)</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>거절</translation>
    </message>
    <message>
        <source>Reject the selected suggestions (N)</source>
        <translation>선택한 제안을 거절합니다 (N)</translation>
    </message>
    <message>
        <source>pending: {n}</source>
        <translation>검토 대기: {n}</translation>
    </message>
    <message>
        <source>pending: {shown} shown of {total}</source>
        <translation>검토 대기: {total}개 중 {shown}개 표시</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Images</source>
        <translation>이미지</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>클래스</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>레이어</translation>
    </message>
    <message>
        <source>AI</source>
        <translation>AI</translation>
    </message>
    <message>
        <source>Overlays</source>
        <translation>오버레이</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>기본</translation>
    </message>
    <message>
        <source>{folder} is not a folder.</source>
        <translation>{folder}은(는) 폴더가 아닙니다.</translation>
    </message>
    <message>
        <source>No folder for labels was chosen; {folder} was not opened.</source>
        <translation>레이블 폴더를 선택하지 않아 {folder}을(를) 열지 않았습니다.</translation>
    </message>
    <message>
        <source>No images in {folder}</source>
        <translation>{folder}에 이미지가 없습니다</translation>
    </message>
    <message>
        <source>label file unreadable</source>
        <translation>레이블 파일을 읽을 수 없음</translation>
    </message>
    <message>
        <source>Loading {name}…</source>
        <translation>{name} 불러오는 중…</translation>
    </message>
    <message>
        <source>This image cannot be shown.

{message}</source>
        <translation>이 이미지를 표시할 수 없습니다.

{message}</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>읽을 수 없음</translation>
    </message>
    <message>
        <source>Every image is done.</source>
        <translation>모든 이미지가 완료되었습니다.</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>저장됨</translation>
    </message>
    <message>
        <source>About MaskPilot</source>
        <translation>MaskPilot 정보</translation>
    </message>
    <message>
        <source>MaskPilot {version}
Segmentation labeling with model suggestions.</source>
        <translation>MaskPilot {version}
모델 제안을 활용하는 분할 레이블링 도구.</translation>
    </message>
</context>
<context>
    <name>MaskEdits</name>
    <message>
        <source>Convert to polygon</source>
        <translation>폴리곤으로 변환</translation>
    </message>
    <message>
        <source>Convert to mask</source>
        <translation>마스크로 변환</translation>
    </message>
    <message>
        <source>Merge instances</source>
        <translation>인스턴스 병합</translation>
    </message>
    <message>
        <source>Split parts</source>
        <translation>부분 분리</translation>
    </message>
    <message>
        <source>Subtract overlap</source>
        <translation>겹친 부분 빼기</translation>
    </message>
</context>
<context>
    <name>ModelCatalog</name>
    <message>
        <source>{name} (trained on this project)</source>
        <translation>{name} (이 프로젝트로 학습)</translation>
    </message>
</context>
<context>
    <name>OverlayController</name>
    <message>
        <source>panoptic</source>
        <extracomment>Images whose overlays are kept (2 layers each; a 24 MP layer is 24-48 MB).</extracomment>
        <translation>파노프틱</translation>
    </message>
    <message>
        <source>semantic</source>
        <translation>시맨틱</translation>
    </message>
    <message>
        <source>Point at an overlay segment on the image first.</source>
        <translation>먼저 이미지의 오버레이 세그먼트를 가리키세요.</translation>
    </message>
    <message>
        <source>No overlay segment under the mouse pointer.</source>
        <translation>마우스 포인터 아래에 오버레이 세그먼트가 없습니다.</translation>
    </message>
    <message>
        <source>This overlay was computed for a different image size.</source>
        <translation>이 오버레이는 다른 이미지 크기로 계산되었습니다.</translation>
    </message>
    <message>
        <source>Choose a class for the new instance first.</source>
        <translation>먼저 새 인스턴스의 클래스를 선택하세요.</translation>
    </message>
    <message>
        <source>No class named “{name}”: the instance got the current class.</source>
        <translation>“{name}” 클래스가 없어 인스턴스에 현재 클래스를 지정했습니다.</translation>
    </message>
    <message>
        <source>Instance from segment</source>
        <translation>세그먼트로 만든 인스턴스</translation>
    </message>
</context>
<context>
    <name>OverlayPanel</name>
    <message>
        <source>Semantic</source>
        <translation>시맨틱</translation>
    </message>
    <message>
        <source>Panoptic</source>
        <translation>파노프틱</translation>
    </message>
    <message>
        <source>Show the {kind} overlay of this image</source>
        <translation>이 이미지의 {kind} 오버레이를 표시합니다</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>불투명도</translation>
    </message>
    <message>
        <source>No overlays for this image yet. Run a semantic or panoptic model from the AI menu.</source>
        <translation>이 이미지에는 아직 오버레이가 없습니다. AI 메뉴에서 시맨틱 또는 파노프틱 모델을 실행하세요.</translation>
    </message>
    <message>
        <source>Make Instance From Segment</source>
        <translation>세그먼트로 인스턴스 만들기</translation>
    </message>
    <message>
        <source>Turns the segment under the mouse pointer into an editable instance (Shift+M while pointing at it)</source>
        <translation>마우스 포인터 아래의 세그먼트를 편집 가능한 인스턴스로 바꿉니다 (가리킨 채 Shift+M)</translation>
    </message>
    <message>
        <source>Semantic classes</source>
        <translation>시맨틱 클래스</translation>
    </message>
    <message>
        <source>Panoptic classes</source>
        <translation>파노프틱 클래스</translation>
    </message>
    <message>
        <source>class id {id}</source>
        <translation>클래스 id {id}</translation>
    </message>
</context>
<context>
    <name>PolygonTool</name>
    <message>
        <source>A polygon needs at least 3 points.</source>
        <translation>폴리곤에는 점이 3개 이상 필요합니다.</translation>
    </message>
    <message>
        <source>Add hole</source>
        <translation>구멍 추가</translation>
    </message>
    <message>
        <source>Add polygon part</source>
        <translation>폴리곤 부분 추가</translation>
    </message>
    <message>
        <source>Draw polygon</source>
        <translation>폴리곤 그리기</translation>
    </message>
</context>
<context>
    <name>ProjectModels</name>
    <message>
        <source>&apos;{name}&apos; cannot be a model name: use up to 64 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter or digit.</source>
        <translation>&apos;{name}&apos;은(는) 모델 이름으로 쓸 수 없습니다. 문자나 숫자로 시작하는 64자 이내의 문자, 숫자, &apos;.&apos;, &apos;_&apos;, &apos;-&apos;를 쓰세요.</translation>
    </message>
    <message>
        <source>none</source>
        <translation>없음</translation>
    </message>
    <message>
        <source>This project has no model &apos;{name}&apos; (project models: {known}).</source>
        <translation>이 프로젝트에는 모델 &apos;{name}&apos;이(가) 없습니다(프로젝트 모델: {known}).</translation>
    </message>
    <message>
        <source>The card of project model &apos;{name}&apos; ({path}) is unreadable: {error}</source>
        <translation>프로젝트 모델 &apos;{name}&apos;의 카드({path})를 읽을 수 없습니다: {error}</translation>
    </message>
    <message>
        <source>Model {model} no longer matches the project: its class(es) {missing} are no longer in the project; class(es) were renamed since training ({renamed}). Train it again.</source>
        <translation>모델 {model}이(가) 더 이상 프로젝트와 맞지 않습니다. 클래스 {missing}이(가) 프로젝트에서 없어졌고, 학습 뒤 이름이 바뀐 클래스가 있습니다({renamed}). 다시 학습하세요.</translation>
    </message>
    <message>
        <source>Model {model} no longer matches the project: its class(es) {missing} are no longer in the project. Train it again.</source>
        <translation>모델 {model}이(가) 더 이상 프로젝트와 맞지 않습니다. 클래스 {missing}이(가) 프로젝트에서 없어졌습니다. 다시 학습하세요.</translation>
    </message>
    <message>
        <source>Model {model} no longer matches the project: class(es) were renamed since training ({renamed}). Train it again.</source>
        <translation>모델 {model}이(가) 더 이상 프로젝트와 맞지 않습니다. 학습 뒤 이름이 바뀐 클래스가 있습니다({renamed}). 다시 학습하세요.</translation>
    </message>
    <message>
        <source>Model {model} does not know the class(es) {classes}; train again to include them.</source>
        <translation>모델 {model}은(는) 클래스 {classes}을(를) 모릅니다. 포함하려면 다시 학습하세요.</translation>
    </message>
    <message>
        <source>Model {model} matches the project&apos;s classes.</source>
        <translation>모델 {model}이(가) 프로젝트의 클래스와 맞습니다.</translation>
    </message>
    <message>
        <source>there is not enough disk space in {folder}</source>
        <translation>{folder}에 디스크 공간이 부족합니다</translation>
    </message>
    <message>
        <source>{folder} is not writable</source>
        <translation>{folder}에 쓸 수 없습니다</translation>
    </message>
    <message>
        <source>The model &apos;{name}&apos; could not be saved: {why}. Any earlier model &apos;{name}&apos; is kept.</source>
        <translation>모델 &apos;{name}&apos;을(를) 저장할 수 없었습니다: {why}. 이전의 모델 &apos;{name}&apos;은(는) 그대로 남아 있습니다.</translation>
    </message>
    <message>
        <source>The weights of {model} ({file}) are missing.</source>
        <translation>{model}의 가중치 파일({file})이 없습니다.</translation>
    </message>
    <message>
        <source>The weights of {model} cannot be read: {error}</source>
        <translation>{model}의 가중치를 읽을 수 없습니다: {error}</translation>
    </message>
    <message>
        <source>The weights file of {model} does not belong to its card (damaged, or an interrupted save). Train the model again.</source>
        <translation>{model}의 가중치 파일이 카드와 맞지 않습니다(손상되었거나 저장이 중단됨). 모델을 다시 학습하세요.</translation>
    </message>
    <message>
        <source>The card of {model} does not say how to build it: {error}</source>
        <translation>{model}의 카드에 모델을 만드는 방법이 없습니다: {error}</translation>
    </message>
</context>
<context>
    <name>ProjectSession</name>
    <message>
        <source>Could not save project.json: {error}</source>
        <translation>project.json을 저장할 수 없었습니다: {error}</translation>
    </message>
    <message>
        <source>Could not save the labels of {image}: {error}</source>
        <translation>{image}의 레이블을 저장할 수 없었습니다: {error}</translation>
    </message>
</context>
<context>
    <name>ProjectStore</name>
    <message>
        <source>cannot create the project store in {folder}: {error}</source>
        <extracomment>index.json layout. 2 added `uncertainty`: a version-1 index is rebuilt once from the label files, since its entries cannot tell &quot;no uncertainty&quot; from &quot;written before the field&quot;.</extracomment>
        <translation>{folder}에 프로젝트 저장소를 만들 수 없습니다: {error}</translation>
    </message>
    <message>
        <source>the project store {folder} is read-only</source>
        <translation>프로젝트 저장소 {folder}은(는) 읽기 전용입니다</translation>
    </message>
    <message>
        <source>project.json could not be read ({reason}). Default classes are used.</source>
        <translation>project.json을 읽을 수 없었습니다({reason}). 기본 클래스를 사용합니다.</translation>
    </message>
    <message>
        <source>project.json could not be read ({reason}); it was moved to {moved}. Default classes are used.</source>
        <translation>project.json을 읽을 수 없어({reason}) {moved}(으)로 옮겼습니다. 기본 클래스를 사용합니다.</translation>
    </message>
    <message>
        <source>refusing the image name {name}: it points outside the project</source>
        <translation>이미지 이름 {name}은(는) 프로젝트 밖을 가리키므로 거부합니다</translation>
    </message>
    <message>
        <source>cannot read labels of {image}: {error}</source>
        <translation>{image}의 레이블을 읽을 수 없습니다: {error}</translation>
    </message>
    <message>
        <source>The labels of {image} were unreadable ({reason}). The image opens empty.</source>
        <translation>{image}의 레이블을 읽을 수 없었습니다({reason}). 이미지를 빈 상태로 엽니다.</translation>
    </message>
    <message>
        <source>The labels of {image} were unreadable ({reason}). It was moved to {moved}. The image opens empty.</source>
        <translation>{image}의 레이블을 읽을 수 없었습니다({reason}). 파일을 {moved}(으)로 옮겼습니다. 이미지를 빈 상태로 엽니다.</translation>
    </message>
</context>
<context>
    <name>ReviewController</name>
    <message>
        <source>No suggestion selected.</source>
        <extracomment>the set of shown suggestions changed (threshold, duplicate option, or edits) (shown pending suggestions, all pending suggestions) of the open image</extracomment>
        <translation>선택한 제안이 없습니다.</translation>
    </message>
    <message>
        <source>The selected suggestions are locked.</source>
        <translation>선택한 제안이 잠겨 있습니다.</translation>
    </message>
    <message numerus="yes">
        <source>Accepted %n suggestion(s).</source>
        <translation>
            <numerusform>제안 %n개를 수락했습니다.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Rejected %n suggestion(s).</source>
        <translation>
            <numerusform>제안 %n개를 거절했습니다.</numerusform>
        </translation>
    </message>
    <message>
        <source>No suggestions above the threshold.</source>
        <translation>임계값 이상인 제안이 없습니다.</translation>
    </message>
    <message numerus="yes">
        <source>Accept %n suggestion(s) above the threshold</source>
        <translation>
            <numerusform>임계값 이상인 제안 %n개 수락</numerusform>
        </translation>
    </message>
    <message>
        <source>No pending suggestions.</source>
        <translation>검토 대기 중인 제안이 없습니다.</translation>
    </message>
    <message numerus="yes">
        <source>Reject %n remaining suggestion(s)</source>
        <translation>
            <numerusform>남은 제안 %n개 거절</numerusform>
        </translation>
    </message>
    <message>
        <source>No suggestions to review in this image.</source>
        <translation>이 이미지에는 검토할 제안이 없습니다.</translation>
    </message>
    <message>
        <source>No other image has suggestions to review.</source>
        <translation>검토할 제안이 있는 다른 이미지가 없습니다.</translation>
    </message>
</context>
<context>
    <name>SelectTool</name>
    <message>
        <source>Move instance</source>
        <translation>인스턴스 이동</translation>
    </message>
    <message>
        <source>Edit vertex</source>
        <translation>꼭짓점 편집</translation>
    </message>
    <message>
        <source>A polygon keeps at least 3 vertices.</source>
        <translation>폴리곤은 꼭짓점을 3개 이상 유지해야 합니다.</translation>
    </message>
    <message>
        <source>Delete vertex</source>
        <translation>꼭짓점 삭제</translation>
    </message>
</context>
<context>
    <name>StatusReadout</name>
    <message>
        <source>The class new instances get (1-9 or the Classes panel)</source>
        <translation>새 인스턴스가 받을 클래스 (1-9 또는 클래스 패널)</translation>
    </message>
    <message>
        <source>The instance under the pointer: id, class, score</source>
        <translation>포인터 아래의 인스턴스: id, 클래스, 점수</translation>
    </message>
    <message>
        <source>x {0}  y {1}</source>
        <translation>x {0}  y {1}</translation>
    </message>
</context>
<context>
    <name>TaskDialog</name>
    <message>
        <source>Working…</source>
        <extracomment>Warnings listed in the dialog; the rest are counted (a 10,000-image import can have many).</extracomment>
        <translation>작업 중…</translation>
    </message>
    <message>
        <source>Stopping after the current image…</source>
        <translation>현재 이미지 후 멈추는 중…</translation>
    </message>
    <message>
        <source>%1 of %2 image(s)</source>
        <translation>이미지 %2개 중 %1개</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>실패: %1</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>닫기</translation>
    </message>
    <message>
        <source>… and %1 more</source>
        <translation>… 외 %1개</translation>
    </message>
</context>
<context>
    <name>Training</name>
    <message>
        <source>The validation share must be at least 0 and below 1, not {share}.</source>
        <translation>검증 비율은 0 이상 1 미만이어야 합니다({share}는 안 됩니다).</translation>
    </message>
    <message>
        <source>A validation split needs at least 2 done images; this project has {n}. Mark more images done, or train without validation (validation share 0).</source>
        <translation>검증용으로 나누려면 완료된 이미지가 2개 이상 필요한데 이 프로젝트에는 {n}개뿐입니다. 이미지를 더 완료로 표시하거나 검증 없이(검증 비율 0) 학습하세요.</translation>
    </message>
    <message>
        <source>{n} done image(s) are no longer in the folder and are left out.</source>
        <translation>완료된 이미지 {n}개가 폴더에 더 이상 없어 제외했습니다.</translation>
    </message>
    <message>
        <source>No image is marked done. Training learns only from finished images (an unfinished one would teach the model that its unlabelled objects are background): label some images completely and mark them done.</source>
        <translation>완료로 표시된 이미지가 없습니다. 학습은 완성된 이미지로만 합니다(미완료 이미지는 레이블이 없는 객체를 배경이라고 가르치게 됩니다). 이미지 몇 개를 빠짐없이 레이블링하고 완료로 표시하세요.</translation>
    </message>
    <message>
        <source>The {n} done image(s) hold no instances of the project&apos;s classes, so there is nothing to learn. Label the objects in them first.</source>
        <translation>완료된 이미지 {n}개에 프로젝트 클래스의 인스턴스가 없어 학습할 것이 없습니다. 먼저 그 이미지의 객체를 레이블링하세요.</translation>
    </message>
    <message>
        <source>No done image has an instance of {classes}; the model will not know them.</source>
        <translation>완료된 이미지 중에 {classes}의 인스턴스가 있는 이미지가 없어 모델은 이 클래스를 알지 못합니다.</translation>
    </message>
    <message>
        <source>Only one class ({name}) has examples: the model will find only that class.</source>
        <translation>예시가 있는 클래스가 하나({name})뿐이라 모델은 그 클래스만 찾습니다.</translation>
    </message>
    <message>
        <source>its labels are gone</source>
        <translation>레이블이 사라졌습니다</translation>
    </message>
    <message>
        <source>{used:.1f} of {budget:g} minutes</source>
        <extracomment>Test hook: &quot;memory:N&quot; raises MemoryError, &quot;kill:N&quot; kills the process (like the kernel&apos;s out-of-memory killer) at step N. Read only by the training process. Seconds between Progress messages (a GUI redraws its curves at this pace).</extracomment>
        <translation>{budget:g}분 중 {used:.1f}분</translation>
    </message>
    <message>
        <source>{used:.1f} of {budget:g} epochs</source>
        <translation>{budget:g} 에포크 중 {used:.1f} 에포크</translation>
    </message>
    <message>
        <source>{used} of {budget} steps</source>
        <translation>{budget}단계 중 {used}단계</translation>
    </message>
    <message>
        <source>The checkpoint of &apos;{name}&apos; already trained {used}: the budget counts over resumed runs, so give a larger one to train further, or start fresh.</source>
        <translation>&apos;{name}&apos;의 체크포인트는 이미 {used}을(를) 학습했습니다. 예산은 이어서 한 학습까지 합산되므로, 더 학습하려면 예산을 늘리거나 처음부터 시작하세요.</translation>
    </message>
    <message>
        <source>The training checkpoint could not be written ({error}); training goes on, but a later run cannot resume from here.</source>
        <translation>학습 체크포인트를 쓸 수 없었습니다({error}). 학습은 계속되지만 나중에 여기서부터 이어서 학습할 수는 없습니다.</translation>
    </message>
    <message>
        <source>Unknown base model &apos;{model}&apos;; choose one of {models}.</source>
        <translation>알 수 없는 기본 모델 &apos;{model}&apos;입니다. {models} 중에서 고르세요.</translation>
    </message>
    <message>
        <source>There is no checkpoint of &apos;{name}&apos; to resume; start fresh instead.</source>
        <translation>이어서 학습할 &apos;{name}&apos;의 체크포인트가 없습니다. 처음부터 시작하세요.</translation>
    </message>
    <message>
        <source>The classes changed since &apos;{name}&apos; was trained (classes with done examples now: {classes}), so it cannot resume; start fresh.</source>
        <translation>&apos;{name}&apos;을(를) 학습한 뒤 클래스가 바뀌어(현재 완료된 예시가 있는 클래스: {classes}) 이어서 학습할 수 없습니다. 처음부터 시작하세요.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; was trained from {trained}, not {model}; resume with that base model, or start fresh.</source>
        <translation>&apos;{name}&apos;은(는) {model}이(가) 아니라 {trained}에서 학습했습니다. 그 기본 모델로 이어서 학습하거나 처음부터 시작하세요.</translation>
    </message>
    <message>
        <source>Stopped before the first step; nothing was saved.</source>
        <translation>첫 단계 전에 중지되어 아무것도 저장하지 않았습니다.</translation>
    </message>
    <message>
        <source>validation mask AP50 {ap50:.3f}</source>
        <translation>검증 마스크 AP50 {ap50:.3f}</translation>
    </message>
    <message>
        <source>no validation images</source>
        <translation>검증 이미지 없음</translation>
    </message>
    <message>
        <source>Training cancelled; the best weights so far were saved as {model} ({steps} steps, {epochs:.1f} epochs, {validation}).</source>
        <translation>학습을 취소했습니다. 지금까지 가장 좋은 가중치를 {model}(으)로 저장했습니다({steps}단계, {epochs:.1f} 에포크, {validation}).</translation>
    </message>
    <message>
        <source>Training finished as {model} ({steps} steps, {epochs:.1f} epochs, {validation}).</source>
        <translation>학습을 마치고 {model}(으)로 저장했습니다({steps}단계, {epochs:.1f} 에포크, {validation}).</translation>
    </message>
    <message>
        <source>Training ran out of memory. Try the small model, a smaller image size or a smaller batch; the last checkpoint is kept.</source>
        <translation>학습 중 메모리가 부족했습니다. small 모델, 더 작은 이미지 크기나 배치를 써 보세요. 마지막 체크포인트는 남아 있습니다.</translation>
    </message>
    <message>
        <source>The GPU ran out of memory. Try a smaller batch or image size, or train on the CPU; the last checkpoint is kept.</source>
        <translation>GPU 메모리가 부족했습니다. 더 작은 배치나 이미지 크기를 쓰거나 CPU에서 학습해 보세요. 마지막 체크포인트는 남아 있습니다.</translation>
    </message>
    <message>
        <source>Training stopped: {error}</source>
        <translation>학습이 중지되었습니다: {error}</translation>
    </message>
    <message>
        <source>Training stopped because of an unexpected error: {error}</source>
        <translation>예상하지 못한 오류로 학습이 중지되었습니다: {error}</translation>
    </message>
    <message>
        <source>it did not exit</source>
        <extracomment>Seconds the child may take to finish after a cancel before `close` kills it.</extracomment>
        <translation>프로세스가 끝나지 않았습니다</translation>
    </message>
    <message>
        <source>it exited with status {code}</source>
        <translation>프로세스가 상태 {code}(으)로 끝났습니다</translation>
    </message>
    <message>
        <source>it was killed (SIGKILL; the system does that when memory runs out)</source>
        <translation>프로세스가 강제 종료되었습니다(SIGKILL, 메모리가 부족하면 시스템이 이렇게 합니다)</translation>
    </message>
    <message>
        <source>it crashed ({signal})</source>
        <translation>프로세스가 비정상 종료되었습니다({signal})</translation>
    </message>
    <message>
        <source>The training process stopped unexpectedly: {why}. The app is not affected; the last checkpoint is kept, so a later run can resume from it.</source>
        <translation>학습 프로세스가 예기치 않게 멈췄습니다: {why}. 앱에는 영향이 없고 마지막 체크포인트가 남아 있어 나중에 이어서 학습할 수 있습니다.</translation>
    </message>
    <message>
        <source>Training was stopped because it did not end after the cancel.</source>
        <translation>취소한 뒤에도 끝나지 않아 학습을 강제로 멈췄습니다.</translation>
    </message>
</context>
<context>
    <name>TrainingController</name>
    <message>
        <source>Open an image folder first.</source>
        <translation>먼저 이미지 폴더를 여세요.</translation>
    </message>
    <message>
        <source>No image is marked done yet. Label a few images, mark them done (Ctrl+Enter), then train.</source>
        <translation>아직 완료로 표시한 이미지가 없습니다. 이미지 몇 개에 레이블을 달고 완료로 표시(Ctrl+Enter)한 뒤 학습하세요.</translation>
    </message>
    <message>
        <source>Training started.</source>
        <translation>학습을 시작했습니다.</translation>
    </message>
    <message>
        <source>Stopping… the best model so far is being saved.</source>
        <translation>멈추는 중… 지금까지 가장 좋은 모델을 저장하고 있습니다.</translation>
    </message>
    <message>
        <source>Training on %1 images (%2 held out for validation) on %3.</source>
        <translation>%3에서 이미지 %1개로 학습합니다 (검증용 %2개 제외).</translation>
    </message>
    <message>
        <source>Left out of training: %1 (%2)</source>
        <translation>학습에서 제외: %1 (%2)</translation>
    </message>
</context>
<context>
    <name>TrainingCurves</name>
    <message>
        <source>step</source>
        <translation>스텝</translation>
    </message>
    <message>
        <source>training loss</source>
        <translation>학습 손실</translation>
    </message>
    <message>
        <source>validation mask AP50</source>
        <translation>검증 마스크 AP50</translation>
    </message>
</context>
<context>
    <name>TrainingDialog</name>
    <message>
        <source>Small model (trains fast on a CPU)</source>
        <translation>작은 모델 (CPU에서도 빠르게 학습)</translation>
    </message>
    <message>
        <source>Mask R-CNN v1 (from the COCO weights when you have them)</source>
        <translation>Mask R-CNN v1 (COCO 가중치가 있으면 그것에서 시작)</translation>
    </message>
    <message>
        <source>Mask R-CNN v2 (from the COCO weights when you have them)</source>
        <translation>Mask R-CNN v2 (COCO 가중치가 있으면 그것에서 시작)</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1초</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1분 %2초</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1시간 %2분</translation>
    </message>
    <message>
        <source>Train a model on your labels</source>
        <translation>내 레이블로 모델 학습</translation>
    </message>
    <message>
        <source>Minutes</source>
        <translation>분</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>에포크</translation>
    </message>
    <message>
        <source>Continue the last run of this model</source>
        <translation>이 모델의 마지막 학습 이어 하기</translation>
    </message>
    <message>
        <source>Base model:</source>
        <translation>기반 모델:</translation>
    </message>
    <message>
        <source>Train for:</source>
        <translation>학습 기간:</translation>
    </message>
    <message>
        <source>Held out for validation:</source>
        <translation>검증용으로 남길 비율:</translation>
    </message>
    <message>
        <source>Model name:</source>
        <translation>모델 이름:</translation>
    </message>
    <message>
        <source>Not started.</source>
        <translation>시작하지 않았습니다.</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>클래스</translation>
    </message>
    <message>
        <source>AP50</source>
        <translation>AP50</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>정밀도</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>재현율</translation>
    </message>
    <message>
        <source>Start training</source>
        <translation>학습 시작</translation>
    </message>
    <message>
        <source>Stop (keep the best so far)</source>
        <translation>중지 (지금까지 최고 모델 유지)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>닫기</translation>
    </message>
    <message>
        <source>Trains an instance model for this project&apos;s %1 classes on the %2 images marked done (only those: an unfinished image would teach the model that its unlabelled objects are background).</source>
        <translation>완료로 표시한 이미지 %2개로 이 프로젝트의 클래스 %1개를 위한 인스턴스 모델을 학습합니다 (완료된 이미지만 씁니다: 미완료 이미지는 레이블이 없는 객체를 배경이라고 가르치게 됩니다).</translation>
    </message>
    <message>
        <source>Starting the training process…</source>
        <translation>학습 프로세스를 시작하는 중…</translation>
    </message>
    <message>
        <source>Epoch %1 · %2 images/s · loss %3 · about %4 left</source>
        <translation>에포크 %1 · 초당 이미지 %2개 · 손실 %3 · 약 %4 남음</translation>
    </message>
    <message>
        <source>Epoch %1 · %2 images/s · loss %3</source>
        <translation>에포크 %1 · 초당 이미지 %2개 · 손실 %3</translation>
    </message>
    <message>
        <source>Validation: mask AP %1, AP50 %2. Precision and recall at score ≥ %3:</source>
        <translation>검증: 마스크 AP %1, AP50 %2. 점수 ≥ %3에서의 정밀도와 재현율:</translation>
    </message>
</context>
<context>
    <name>UndoStacks</name>
    <message>
        <source>Edit history</source>
        <translation>편집 기록</translation>
    </message>
</context>
</TS>
