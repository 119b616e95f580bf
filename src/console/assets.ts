/**
 * The console's static files: its stylesheet and script (a few KB, below), and uPlot's, read from
 * node_modules once at start. Served by kendrite itself: no CDN, no build step.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface Asset {
  type: string;
  body: string;
}

const uplotDir = path.dirname(createRequire(import.meta.url).resolve('uplot'));

const STYLES = `
:root{--fg:#1b1f24;--muted:#4a5260;--line:#c9ced6;--bg:#fff;--band:#f3f5f8;--link:#0a4fb4;--ok:#146c2e;--bad:#a4161a;--warn:#7a4b00}
*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)}a:focus,button:focus,input:focus,select:focus{outline:3px solid #f0b400;outline-offset:1px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:2}
.top{display:flex;flex-wrap:wrap;gap:8px;justify-content:space-between;align-items:center;padding:8px 16px;background:#14213d;color:#fff}
.top a,.top .link{color:#fff}.brand{font-weight:700;text-decoration:none;font-size:1.1rem}.who{display:flex;gap:12px;align-items:center;flex-wrap:wrap}
.who form{margin:0}.link{background:none;border:0;padding:0;font:inherit;text-decoration:underline;cursor:pointer;color:var(--link)}
.crumbs ol{list-style:none;display:flex;flex-wrap:wrap;gap:4px;margin:0;padding:8px 16px;background:var(--band)}
.crumbs li+li:before{content:"›";margin-right:4px;color:var(--muted)}
main{padding:8px 16px 32px;max-width:1200px}h1{font-size:1.5rem;margin:.5em 0}h2{font-size:1.2rem;margin:1.2em 0 .4em}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}table{border-collapse:collapse;width:100%;font-size:.95rem}
caption{text-align:left;font-weight:600;padding:4px 0;color:var(--muted)}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--band)}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.status{font-weight:600}.status-SUCCEEDED,.status-ACTIVE{color:var(--ok)}.status-FAILED,.status-ABORTED{color:var(--bad)}.status-INCOMPLETE,.status-STOPPING{color:var(--warn)}
form.inline{display:inline}.row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end;margin:8px 0}
label{display:flex;flex-direction:column;gap:2px;font-weight:600;font-size:.9rem}input,select{font:inherit;padding:6px 8px;border:1px solid #6b7280;border-radius:4px;min-width:0}
button{font:inherit;padding:6px 14px;border-radius:4px;border:1px solid #0a4fb4;background:#0a4fb4;color:#fff;cursor:pointer}button.secondary{background:#fff;color:#0a4fb4}
button:disabled{background:#d0d4da;border-color:#d0d4da;color:#3b4150;cursor:not-allowed}
.panel{border:1px solid var(--line);border-radius:6px;padding:12px;margin:12px 0;background:#fff}
dl.metrics{display:grid;grid-template-columns:repeat(auto-fit,minmax(110px,1fr));gap:8px;margin:0}dl.metrics div{background:var(--band);padding:6px 8px;border-radius:4px}
dl.metrics dt{font-size:.8rem;color:var(--muted)}dl.metrics dd{margin:0;font-size:1.3rem;font-weight:700;font-variant-numeric:tabular-nums}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:16px}figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}
.result{border-bottom:1px solid var(--line);padding:10px 0}.result h3{margin:0 0 4px;font-size:1.05rem}.result p{margin:2px 0}.muted{color:var(--muted);font-size:.9rem}
mark{background:#ffe58a;color:inherit}.facets{display:flex;flex-wrap:wrap;gap:16px}.facets ul{margin:4px 0;padding-left:18px}
.error{color:var(--bad);font-weight:600}.layout{display:grid;grid-template-columns:1fr;gap:16px}
@media (min-width:800px){.layout{grid-template-columns:240px 1fr}}
@media (max-width:600px){body{font-size:15px}main{padding:8px}th,td{padding:4px 6px}}
`;

/** Live progress and charts on a data source's page: polls its jobs.json while a job runs. */
const SCRIPT = `
(function(){
  var root=document.getElementById('history');if(!root)return;
  var url=root.getAttribute('data-url');var charts={};var RUNNING={SYNCING:1,SYNCING_INDEXING:1,STOPPING:1};
  var KEYS=['Added','Modified','Deleted','Failed','Scanned'];
  function text(el,v){if(el&&el.textContent!==String(v))el.textContent=String(v);}
  function secs(ms){return ms==null?'':(ms/1000).toFixed(1)+' s';}
  function update(data){
    var jobs=data.jobs;var running=null;
    for(var i=0;i<jobs.length;i++){var j=jobs[i];
      var row=document.getElementById('job-'+j.ExecutionId);
      if(row){text(row.querySelector('[data-k=Status]'),j.Status);row.querySelector('[data-k=Status]').className='status status-'+j.Status;
        text(row.querySelector('[data-k=EndTime]'),j.EndTime?new Date(j.EndTime).toISOString().replace('T',' ').slice(0,19):'');
        text(row.querySelector('[data-k=Duration]'),secs(j.DurationMs));
        KEYS.forEach(function(k){text(row.querySelector('[data-k='+k+']'),j.Metrics[k]==null?'':j.Metrics[k]);});
        text(row.querySelector('[data-k=Error]'),j.ErrorMessage||'');}
      if(!running&&RUNNING[j.Status])running=j;}
    var live=document.getElementById('live');
    if(live){var target=running||jobs[0];
      if(target){live.hidden=false;text(live.querySelector('[data-k=Status]'),target.Status);text(live.querySelector('[data-k=Execution]'),target.ExecutionId);
        KEYS.forEach(function(k){text(live.querySelector('[data-k='+k+']'),target.Metrics[k]==null?'–':target.Metrics[k]);});}}
    var stop=document.getElementById('stop-button');if(stop)stop.disabled=!running||!stop.getAttribute('data-can');
    var start=document.getElementById('start-button');if(start)start.disabled=!!running||!start.getAttribute('data-can');
    draw(jobs);return running;}
  // uPlot widens a lone point's time axis by 86,400 of its units (years, in seconds): one run gets a minute either side.
  function oneRunRange(u,lo,hi){var xs=u.data[0];return xs.length===1?[xs[0]-60,xs[0]+60]:[lo,hi];}
  function draw(jobs){
    if(!window.uPlot)return;var done=jobs.filter(function(j){return j.EndTime;}).slice().reverse();
    var xs=done.map(function(j){return j.StartTime/1000;});
    var series={docs:[xs].concat(['Added','Modified','Deleted','Failed'].map(function(k){return done.map(function(j){return Number(j.Metrics[k]||0);});})),
      dur:[xs,done.map(function(j){return j.DurationMs/1000;})]};
    var colors=['#146c2e','#0a4fb4','#7a4b00','#a4161a'];
    [['docs','chart-docs',[{},{label:'Added',stroke:colors[0]},{label:'Modified',stroke:colors[1]},{label:'Deleted',stroke:colors[2]},{label:'Failed',stroke:colors[3]}]],
     ['dur','chart-duration',[{},{label:'Seconds',stroke:colors[1]}]]].forEach(function(c){
      var el=document.getElementById(c[1]);if(!el)return;var w=Math.max(260,el.clientWidth||300);
      if(charts[c[0]]){charts[c[0]].setData(series[c[0]]);return;}
      charts[c[0]]=new window.uPlot({width:w,height:200,scales:{x:{time:true,range:oneRunRange}},series:c[2].map(function(s){return Object.assign({points:{show:true}},s);})},series[c[0]],el);});}
  function poll(){fetch(url,{credentials:'same-origin',headers:{accept:'application/json'}}).then(function(r){return r.json();})
    .then(function(d){var running=update(d);setTimeout(poll,running?700:5000);},function(){setTimeout(poll,5000);});}
  poll();
})();
`;

export function loadAssets(): Map<string, Asset> {
  return new Map<string, Asset>([
    ['console.css', { type: 'text/css; charset=utf-8', body: STYLES }],
    ['console.js', { type: 'text/javascript; charset=utf-8', body: SCRIPT }],
    ['uplot.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(uplotDir, 'uPlot.iife.min.js'), 'utf8') }],
    ['uplot.css', { type: 'text/css; charset=utf-8', body: readFileSync(path.join(uplotDir, 'uPlot.min.css'), 'utf8') }],
  ]);
}
