// Thai words for Plotly's chart toolbar and messages (the format of plotly.js's own dist/plotly-locale-*.js
// files). dcc.Graph registers locales found in window.PlotlyLocales; config.locale = "th" selects it.
(function () {
  var locale = {
    moduleType: 'locale',
    name: 'th',
    dictionary: {
      'Autoscale': 'ปรับขนาดอัตโนมัติ',
      'Box Select': 'เลือกเป็นกรอบ',
      'Click to enter Colorscale title': 'คลิกเพื่อใส่ชื่อแถบสี',
      'Compare data on hover': 'เปรียบเทียบข้อมูลเมื่อชี้',
      'Double-click on legend to isolate one trace': 'ดับเบิลคลิกที่คำอธิบายเพื่อดูเฉพาะชุดเดียว',
      'Double-click to zoom back out': 'ดับเบิลคลิกเพื่อย่อกลับ',
      'Download plot as a png': 'ดาวน์โหลดเป็นภาพ PNG',
      'Download plot as a PNG': 'ดาวน์โหลดเป็นภาพ PNG',
      'Download plot as an SVG': 'ดาวน์โหลดเป็นภาพ SVG',
      'Download plot': 'ดาวน์โหลดแผนภูมิ',
      'Lasso Select': 'เลือกแบบบ่วง',
      'Orbital rotation': 'หมุนรอบ',
      'Pan': 'เลื่อน',
      'Produced with Plotly.js': 'สร้างด้วย Plotly.js',
      'Reset': 'คืนค่าเดิม',
      'Reset axes': 'คืนแกนเดิม',
      'Reset view': 'คืนมุมมองเดิม',
      'Reset views': 'คืนมุมมองเดิม',
      'Show closest data on hover': 'แสดงข้อมูลที่ใกล้ที่สุดเมื่อชี้',
      'Snapshot succeeded': 'บันทึกภาพแล้ว',
      'Sorry, there was a problem downloading your snapshot!': 'ขออภัย ดาวน์โหลดภาพไม่สำเร็จ',
      'Taking snapshot - this may take a few seconds': 'กำลังบันทึกภาพ อาจใช้เวลาสักครู่',
      'Toggle Spike Lines': 'เปิด/ปิดเส้นชี้',
      'Toggle show closest data on hover': 'เปิด/ปิดการแสดงข้อมูลที่ใกล้ที่สุด',
      'Zoom': 'ซูม',
      'Zoom in': 'ขยาย',
      'Zoom out': 'ย่อ',
      'close:': 'ปิด:',
      'high:': 'สูง:',
      'low:': 'ต่ำ:',
      'open:': 'เปิด:',
      'trace': 'ชุดข้อมูล'
    },
    format: {
      days: ['อาทิตย์', 'จันทร์', 'อังคาร', 'พุธ', 'พฤหัสบดี', 'ศุกร์', 'เสาร์'],
      shortDays: ['อา.', 'จ.', 'อ.', 'พ.', 'พฤ.', 'ศ.', 'ส.'],
      months: ['มกราคม', 'กุมภาพันธ์', 'มีนาคม', 'เมษายน', 'พฤษภาคม', 'มิถุนายน', 'กรกฎาคม', 'สิงหาคม', 'กันยายน',
               'ตุลาคม', 'พฤศจิกายน', 'ธันวาคม'],
      shortMonths: ['ม.ค.', 'ก.พ.', 'มี.ค.', 'เม.ย.', 'พ.ค.', 'มิ.ย.', 'ก.ค.', 'ส.ค.', 'ก.ย.', 'ต.ค.', 'พ.ย.', 'ธ.ค.'],
      date: '%d/%m/%Y'
    }
  };
  if (typeof Plotly === 'undefined') {
    window.PlotlyLocales = window.PlotlyLocales || [];
    window.PlotlyLocales.push(locale);
  } else {
    Plotly.register(locale);
  }
})();
