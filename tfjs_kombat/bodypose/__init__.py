"""Body pose: MediaPipe BlazePose (Apache-2.0, from npm's @mediapipe/pose) run offline, the same in
Python and in the page. Each BlazePose .tflite graph is rebuilt from TensorFlow ops
(tflitegraph.py): Python runs it with TensorFlow, the page runs the same graph converted to a
TensorFlow.js graph model (webmodels.py), and both crop and decode with the same steps (region.py,
detector.py, landmarks.py here; web/js/bodypose.js there).

    modelfiles   where the .tflite files and the page's converted models are
    tflitegraph  a .tflite graph as TensorFlow ops
    networks     the detector and a landmark model as TensorFlow functions, one output each
    anchors      the detector's SSD anchors
    region       regions of interest, their crops, and points back into the frame
    detector     the letterboxed frame -> the best person -> the landmark model's region
    landmarks    the landmark model on a region -> landmarks in the frame
    tracker      regions from the last frame's landmarks, the detector only when the person is lost
    webmodels    `tfjs-kombat posemodels`: the networks as graph models in web/vendor/bodypose/
    keypoints    `tfjs-kombat keypoints`: landmarks of images, printed or written as JSON
"""
