/**
 * The play page's camera controller: the shared camera loop (camera-loop.js) in the panel beside
 * our game, which play-game.js drives through window.Detect.
 */

import { startCameraLoop } from './camera-loop.js';
import { CameraPanel } from './ui.js';

startCameraLoop(new CameraPanel(document.getElementById('camera-panel')), new URLSearchParams(location.search));
