// Registers every op definition with the op table (import for side effects).
import './hotAlu';
import './hotCtl';
import './execAlu';
import './execShift';
import './execBits';
import './execMulDiv';
import './execString';
import './execMove';
import './execFlags';
import './execControl';
import './execControlStack';
import './execControlTransfer';
import './execSystem';
import './execSystemCr';
import './execSystemSeg';
import './execMsr';
import './execIo';
