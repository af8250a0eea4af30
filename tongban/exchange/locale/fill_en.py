"""The English of the partner messages' catalogue (跨区通办), as `tongban translations` fills it.
The reasons a platform gives when it refuses a message are data sent between platforms and
recorded on both sides as sent: Chinese, not translated."""

EN = {
    "待发送": "Waiting",
    "已送达": "Delivered",
    "发送失败": "Failed",
    "已接收": "Taken",
    "已拒收": "Refused",
}

EXTRA: set[str] = set()
