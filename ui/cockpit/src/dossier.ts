// The case-file window. The case model and search come with their issue; for now it
// shows that no case is open.
import { startWindow } from "./common";

void startWindow();
